//! How the workers are stored: structure of arrays, one column per attribute, declared once
//! (`worker_columns!`) with the mutable view of a range of workers (the unit of parallel work),
//! the splitter into chunks and the permutation the sort applies. A worker's identity is its
//! `id`, never its place in storage: the sort (each workplace's workers together, in whole
//! groups of [`GROUP`]) changes speed only.

/// What a worker is doing. Each worker is in exactly one status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Status {
    Employed = 0,
    Unemployed = 1,
    /// Gone to the village (voting with their feet).
    Village = 2,
    /// In Cheka custody.
    Arrested = 3,
    /// Exiled (Siberia).
    Exiled = 4,
    /// Promoted into administration (the "pump").
    Administration = 5,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Employed,
        Status::Unemployed,
        Status::Village,
        Status::Arrested,
        Status::Exiled,
        Status::Administration,
    ];
    /// Lives in Moscow (counts toward the city's population).
    pub fn in_city(self) -> bool {
        matches!(
            self,
            Status::Employed | Status::Unemployed | Status::Administration
        )
    }
}

/// Political identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Politics {
    Party = 0,
    NonPartySocialist = 1,
    Sr = 2,
    Menshevik = 3,
    Anarchist = 4,
    DissidentCommunist = 5,
    Unaffiliated = 6,
}

impl Politics {
    /// Every identity, in the order of the discriminants.
    pub const ALL: [Politics; 7] = [
        Politics::Party,
        Politics::NonPartySocialist,
        Politics::Sr,
        Politics::Menshevik,
        Politics::Anarchist,
        Politics::DissidentCommunist,
        Politics::Unaffiliated,
    ];
    /// Long-run anchor of the legitimacy a worker of this identity grants the party.
    pub const fn anchor(self) -> f32 {
        match self {
            Politics::Party => 0.9,
            Politics::Unaffiliated => 0.7,
            Politics::NonPartySocialist => 0.5,
            Politics::DissidentCommunist => 0.4,
            Politics::Sr | Politics::Menshevik | Politics::Anarchist => 0.35,
        }
    }
    /// Principled dissent added to grievance in the private stance.
    pub const fn conviction(self) -> f32 {
        match self {
            Politics::Party => -0.15,
            Politics::Unaffiliated => 0.0,
            Politics::NonPartySocialist => 0.12,
            Politics::DissidentCommunist
            | Politics::Sr
            | Politics::Menshevik
            | Politics::Anarchist => 0.18,
        }
    }
    /// Member of another socialist party (SR, Menshevik, anarchist).
    pub fn other_socialist(self) -> bool {
        matches!(
            self,
            Politics::Sr | Politics::Menshevik | Politics::Anarchist
        )
    }
    /// Member of a dissident group of any kind.
    pub fn dissident(self) -> bool {
        !matches!(self, Politics::Party | Politics::Unaffiliated)
    }
}

/// Workers per group of the worker phase's vector code (one AVX-512 vector of 32-bit lanes):
/// [`Workers::sort`] lays each workplace's workers out in whole groups.
pub const GROUP: usize = 16;

/// Flag bits of a worker.
pub mod flag {
    /// Expresses dissent publicly this week.
    pub const PUBLIC: u8 = 1;
    /// On strike this week.
    pub const STRIKING: u8 = 2;
    /// Marked as a troublemaker (not re-hired until the timer runs out).
    pub const BLACKLISTED: u8 = 4;
    /// Holds the principle that the death penalty must be abolished (1917's slogan).
    pub const ABOLITIONIST: u8 = 8;
    /// Female.
    pub const FEMALE: u8 = 16;
    /// Pre-war cadre worker (else a recent migrant).
    pub const CADRE: u8 = 32;
}

/// Declares the worker columns once: the [`Workers`] struct (one `Vec` per column), its
/// mutable view of a contiguous range of workers ([`WorkersMut`], the unit of parallel work),
/// the splitter [`Workers::chunks_mut`] and the byte count per worker.
macro_rules! worker_columns {
    ($($(#[$doc:meta])* $col:ident : $ty:ty),* $(,)?) => {
        /// Worker agents, structure of arrays; the index is the worker's id.
        #[derive(Clone, Debug, Default)]
        pub struct Workers {
            $($(#[$doc])* pub $col: Vec<$ty>,)*
        }

        /// Every column of a contiguous range of workers, mutable: what one parallel task owns.
        pub struct WorkersMut<'a> {
            /// Id of the first worker of the range.
            pub base: usize,
            $(pub $col: &'a mut [$ty],)*
        }

        impl Workers {
            /// Bytes of state per worker: the sum of the column widths.
            pub const BYTES_PER_WORKER: usize = 0 $(+ std::mem::size_of::<$ty>())*;

            /// Moves the worker at `from(j)` to index `j`, for every `j`, in every column
            /// except those left empty (one new column at a time, filled in parallel).
            fn permute(&mut self, from: impl Fn(usize) -> usize + Sync) {
                use rayon::prelude::*;
                let n = self.len();
                $(if !self.$col.is_empty() {
                    let old = &self.$col;
                    let mut new = Vec::with_capacity(n);
                    (0..n).into_par_iter().map(|j| old[from(j)]).collect_into_vec(&mut new);
                    self.$col = new;
                })*
            }

            /// Splits every column into consecutive ranges of `size` workers (the last may be
            /// shorter). The ranges depend on `size` only, never on the thread count.
            pub fn chunks_mut(&mut self, size: usize) -> Vec<WorkersMut<'_>> {
                let size = size.max(1);
                let n = self.len();
                let mut out = Vec::with_capacity(n.div_ceil(size));
                let mut rest = WorkersMut { base: 0, $($col: self.$col.as_mut_slice(),)* };
                while rest.base < n {
                    let len = size.min(n - rest.base);
                    let chunk = WorkersMut {
                        base: rest.base,
                        $($col: {
                            let (head, tail) = std::mem::take(&mut rest.$col).split_at_mut(len);
                            rest.$col = tail;
                            head
                        },)*
                    };
                    rest.base += len;
                    out.push(chunk);
                }
                out
            }
        }

        impl WorkersMut<'_> {
            pub fn len(&self) -> usize {
                self.wp.len()
            }
            /// Every column has [`len`](Self::len) entries (true by construction). Asserted once
            /// at the top of a loop over the chunk, it lets the compiler drop the per-access
            /// bounds checks of every column.
            #[inline(always)]
            pub fn assert_columns(&self) {
                let n = self.len();
                $(assert!(self.$col.len() == n);)*
            }
            pub fn is_empty(&self) -> bool {
                self.wp.is_empty()
            }
        }
    };
}

worker_columns! {
    /// Permanent identity: the worker's index at creation. It keys the worker's random draws and
    /// its place in every choice taken in order (strike leaders, redundancies, hiring), so the
    /// order the workers are stored in never changes a result (see [`Workers::sort`]).
    id: u32,
    /// Current (or last) workplace.
    wp: u32,
    status: Status,
    /// Scratch of the worker phase: the share of coworkers on strike this worker needs to see
    /// before joining (Granovetter); +∞ for workers not employed.
    need: f32,
    politics: Politics,
    /// Skill: 0 unskilled, 1 semi-skilled, 2 skilled.
    skill: u8,
    /// See [`flag`].
    flags: u8,
    /// Weeks left in custody, exile or on the blacklist.
    timer: u16,
    /// Week the worker joined the party (negative: before the run).
    party_since: i16,
    /// Village ties (0..1).
    ties: f32,
    /// Granovetter strike threshold (0..1), fixed.
    threshold: f32,
    /// Epstein risk aversion R (0..1), fixed.
    risk: f32,
    /// Consumption this week (1913 = 1).
    consumption: f32,
    /// Living standard the worker expects (adaptive).
    expectation: f32,
    /// Hardship H (0..1).
    hardship: f32,
    /// Legitimacy L the worker grants the party (0..1).
    legitimacy: f32,
    /// Fear (0..1).
    fear: f32,
    /// Private stance: dissent held privately (0..1).
    dissent: f32,
    /// Effort (0..1).
    effort: f32,
}

impl Workers {
    pub fn len(&self) -> usize {
        self.wp.len()
    }

    /// Stores the worker `order[j]` at index `j`, for every `j`: any storage order (no result
    /// depends on it; see [`sort`](Self::sort)). Panics unless `order` is a permutation of the
    /// indices.
    pub fn reorder(&mut self, order: &[u32]) {
        let n = self.len();
        let mut seen = vec![false; n];
        assert!(
            order.len() == n,
            "an order of {} workers for {n}",
            order.len()
        );
        for &i in order {
            assert!(
                !std::mem::replace(&mut seen[i as usize], true),
                "worker {i} twice in an order"
            );
        }
        self.permute(|j| order[j] as usize);
    }

    /// Stores the workers grouped by where they stand: the city workers (employed or not) of
    /// each workplace together, each workplace's run filled up to a whole number of [`GROUP`]s
    /// with officials (else villagers), then the rest of administration, the village, custody
    /// and exile. Stable (a counting sort), so the new order is a function of the old one and
    /// the state alone. Only the speed of the worker phase depends on the order (a group of
    /// one workplace's workers reads its context once); every result is the same in any order,
    /// as each worker's draws and place in ordered choices come from its [`id`](Self::id). The
    /// permutation is kept in the strike need column, which is dead between steps (reset to
    /// infinity, as at the start), so that sorting needs one column's memory beyond the state.
    /// Returns the share of whole groups that still hold city workers of several workplaces.
    pub fn sort(&mut self, workplaces: usize) -> f32 {
        let group = GROUP;
        let n = self.len();
        let key = |i: usize| match self.status[i] {
            Status::Employed | Status::Unemployed => self.wp[i] as usize,
            Status::Administration => workplaces,
            Status::Village => workplaces + 1,
            Status::Arrested => workplaces + 2,
            Status::Exiled => workplaces + 3,
        };
        let mut count = vec![0usize; workplaces + 4];
        for i in 0..n {
            count[key(i)] += 1;
        }
        // Where each workplace's run starts, and the padding after it: (index of its first
        // padding worker among the others, position).
        let mut spare: usize = count[workplaces..].iter().sum();
        let (mut at, mut padded) = (0, 0);
        let mut city_at = Vec::with_capacity(workplaces);
        let mut pads = Vec::new();
        for &c in &count[..workplaces] {
            city_at.push(at);
            at += c;
            let pad = ((group - c % group) % group).min(spare);
            if pad > 0 {
                pads.push((padded, at));
            }
            (at, padded, spare) = (at + pad, padded + pad, spare - pad);
        }
        let rest_at = at;
        // The others in order: the q-th goes to the padding while there is any, then to the
        // rest; each kind of status has its cursor `q` and its place `p` in `pads`.
        let mut others = [(0usize, 0usize); 4];
        for s in 1..4 {
            others[s].0 = others[s - 1].0 + count[workplaces + s - 1];
        }
        let mut order = std::mem::take(&mut self.need);
        for i in 0..n {
            let k = key(i);
            let to = if k < workplaces {
                city_at[k] += 1;
                city_at[k] - 1
            } else {
                let (q, p) = &mut others[k - workplaces];
                while *p + 1 < pads.len() && pads[*p + 1].0 <= *q {
                    *p += 1;
                }
                let to = if *q < padded {
                    pads[*p].1 + *q - pads[*p].0
                } else {
                    rest_at + *q - padded
                };
                *q += 1;
                to
            };
            order[to] = f32::from_bits(i as u32);
        }
        self.permute(|j| order[j].to_bits() as usize);
        order.fill(f32::INFINITY);
        self.need = order;
        self.mixed_share()
    }

    /// Share of whole groups of [`GROUP`] workers that hold city workers (employed or not) of
    /// more than one workplace.
    pub fn mixed_share(&self) -> f32 {
        let group = GROUP;
        let groups = self.len() / group;
        let mixed = (0..groups)
            .filter(|&g| {
                let mut city = (g * group..(g + 1) * group)
                    .filter(|&i| matches!(self.status[i], Status::Employed | Status::Unemployed))
                    .map(|i| self.wp[i]);
                city.next().is_some_and(|first| city.any(|k| k != first))
            })
            .count();
        mixed as f32 / groups.max(1) as f32
    }
    pub fn is_empty(&self) -> bool {
        self.wp.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rng::{self, Stream};

    /// The real-valued columns but the strike need and effort.
    fn reals(w: &mut Workers) -> [&mut Vec<f32>; 9] {
        [
            &mut w.ties,
            &mut w.threshold,
            &mut w.risk,
            &mut w.consumption,
            &mut w.expectation,
            &mut w.hardship,
            &mut w.legitimacy,
            &mut w.fear,
            &mut w.dissent,
        ]
    }

    #[test]
    fn chunks_cover_every_worker_once_in_order() {
        let mut w = Workers::default();
        for i in 0..10_001u32 {
            w.id.push(i);
            w.wp.push(i);
            w.effort.push(i as f32);
        }
        w.status.resize(10_001, Status::Employed);
        w.need.resize(10_001, 0.0);
        w.politics.resize(10_001, Politics::Unaffiliated);
        w.skill.resize(10_001, 0);
        w.flags.resize(10_001, 0);
        w.timer.resize(10_001, 0);
        w.party_since.resize(10_001, 0);
        for col in reals(&mut w) {
            col.resize(10_001, 0.0);
        }
        let chunks = w.chunks_mut(4096);
        assert_eq!(
            chunks.iter().map(WorkersMut::len).collect::<Vec<_>>(),
            [4096, 4096, 1809]
        );
        let mut next = 0;
        for c in chunks {
            assert_eq!(c.base, next);
            for j in 0..c.len() {
                assert_eq!(c.wp[j] as usize, c.base + j);
                assert_eq!(c.effort[j], (c.base + j) as f32);
                c.timer[j] = 1;
            }
            next += c.len();
        }
        assert_eq!(next, 10_001);
        assert!(w.timer.iter().all(|&t| t == 1));
        assert_eq!(Workers::BYTES_PER_WORKER, 60);
    }

    #[test]
    fn sort_groups_each_workplace_in_whole_groups() {
        // Random statuses and workplaces: after the sort, every group of 16 holds city workers
        // of one workplace at most (as long as there are officials and villagers to fill
        // with), the order is stable within each workplace, and no worker is lost.
        let n = 5_000usize;
        let nw = 37;
        let mut w = Workers::default();
        for i in 0..n {
            let u = |k: u64| rng::uniform(3, Stream::Init, i as u64, k);
            w.id.push(i as u32);
            w.wp.push((u(0) * nw as f32) as u32);
            w.status.push(Status::ALL[(u(1) * 6.0) as usize % 6]);
            w.need.push(0.5);
            for col in reals(&mut w) {
                col.push(i as f32);
            }
            w.effort.push(i as f32);
            w.politics.push(Politics::Unaffiliated);
            w.skill.push(1);
            w.flags.push(i as u8);
            w.timer.push(i as u16);
            w.party_since.push(i as i16);
        }
        let before = w.clone();
        assert_eq!(w.sort(nw), 0.0, "a mixed group after the sort");
        let city = |s: Status| matches!(s, Status::Employed | Status::Unemployed);
        for g in w.status.chunks(16).zip(w.wp.chunks(16)) {
            let wps: std::collections::BTreeSet<u32> =
                g.0.iter()
                    .zip(g.1)
                    .filter(|(s, _)| city(**s))
                    .map(|(_, &k)| k)
                    .collect();
            assert!(wps.len() <= 1, "a group with workplaces {wps:?}");
        }
        // Every worker once, its columns moved together; stable within a workplace.
        let mut seen = vec![false; n];
        let mut last = vec![None; nw];
        for j in 0..n {
            let i = w.id[j] as usize;
            assert!(!std::mem::replace(&mut seen[i], true));
            assert_eq!((w.wp[j], w.status[j]), (before.wp[i], before.status[i]));
            assert_eq!((w.effort[j], w.timer[j]), (i as f32, i as u16));
            assert_eq!(w.need[j], f32::INFINITY);
            if city(w.status[j]) {
                let k = w.wp[j] as usize;
                assert!(last[k] < Some(i), "workplace {k}: {:?} before {i}", last[k]);
                last[k] = Some(i);
            }
        }
    }
}
