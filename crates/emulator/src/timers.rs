//! The clock that moves conversations through their `Timers.Inactive` / `Timers.Closed`
//! states. Four ticks a second is finer than anything Twilio promises and costs nothing.

use std::time::Duration;

use crate::{ids::now_millis, state::AppState, webhooks::Source};

const TICK: Duration = Duration::from_millis(250);

pub(crate) async fn run(state: AppState) {
    let mut interval = tokio::time::interval(TICK);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        interval.tick().await;
        let mut world = state.world();
        if world.apply_timers(now_millis()) {
            // Timer transitions are the service's own doing: they always fire webhooks.
            world.flush_webhooks(Some(&Source::Api));
        }
    }
}
