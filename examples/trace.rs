//! Traces one worker and one workplace week by week: `cargo run --release --example trace -- SCENARIO [WORKER]`.
use pact::model::record::RunRecord;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let res = pact::scenario::load(std::path::Path::new(&args[1])).expect("scenario");
    let who: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(0);
    let mut world = pact::model::step::start(
        &res,
        pact::model::rng::replicate_seed(res.scenario.run.seed, 0),
    );
    let mut out = RunRecord::default();
    for t in 0..res.clock.weeks {
        pact::model::step::step(&mut world, &res, &mut out);
        let w = &world.workers;
        // Where the worker is stored this week (the storage order changes; its id does not).
        let id =
            w.id.iter()
                .position(|&x| x as usize == who)
                .expect("WORKER: an agent id");
        let k = w.wp[id] as usize;
        if t % 4 == 0 {
            let bl = (0..w.len())
                .filter(|&i| w.flags[i] & pact::model::world::flag::BLACKLISTED != 0)
                .count();
            let bl_timer0 = (0..w.len())
                .filter(|&i| {
                    w.flags[i] & pact::model::world::flag::BLACKLISTED != 0 && w.timer[i] == 0
                })
                .count();
            let bl_unemp = (0..w.len())
                .filter(|&i| {
                    w.flags[i] & pact::model::world::flag::BLACKLISTED != 0
                        && w.status[i] == pact::model::world::Status::Unemployed
                })
                .count();
            println!(
                "{} {:?} {:?} wp={k} c={:.3} e={:.3} H={:.3} L={:.3} F={:.3} D={:.3} eff={:.2} fl={:#x} timer={} | wp emp={} strk={} pub={} cheka={:.2} | bl={bl} bl0={bl_timer0} blU={bl_unemp}",
                res.clock.date(t),
                w.status[id],
                w.politics[id],
                w.consumption[id],
                w.expectation[id],
                w.hardship[id],
                w.legitimacy[id],
                w.fear[id],
                w.dissent[id],
                w.effort[id],
                w.flags[id],
                w.timer[id],
                world.view.employed[k],
                world.view.strikers[k],
                world.view.public[k],
                world.view.cheka[k]
            );
        }
    }
}
