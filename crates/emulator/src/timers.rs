//! The clock that moves conversations through their `Timers.Inactive` / `Timers.Closed`
//! states. Four ticks a second is finer than anything Twilio promises and costs nothing.

use std::time::Duration;

use crate::{ids::now_millis, state::AppState, webhooks::Source, world::World};

const TICK: Duration = Duration::from_millis(250);
/// Unattached media are swept every this many ticks (uploads also sweep before they count
/// an identity's quota), so an abandoned upload does not wait for the next one.
const MEDIA_SWEEP_TICKS: u32 = 40;

pub(crate) async fn run(state: AppState) {
    let mut interval = tokio::time::interval(TICK);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut tick: u32 = 0;
    loop {
        interval.tick().await;
        tick = tick.wrapping_add(1);
        let mut world = state.world();
        if tick.is_multiple_of(MEDIA_SWEEP_TICKS) {
            world.expire_unattached_media(now_millis());
        }
        fire_due(&mut world, now_millis());
    }
}

/// Moves every conversation whose timers are due at `now` (Unix ms) and fires the webhooks.
pub(crate) fn fire_due(world: &mut World, now: u64) {
    if world.apply_timers(now) {
        // Timer transitions are the service's own doing: they always fire webhooks.
        world.flush_webhooks(Some(&Source::Api));
    }
}
