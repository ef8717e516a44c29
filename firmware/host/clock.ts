// Clock host. monotonicMs: esp_timer_get_time()/1000, never jumps. wallMs: gettimeofday(), meaningful only after
// SNTP (or the simulator) set it; until then it returns undefined so nothing stamps data with 1970.

export interface ClockHost {
  monotonicMs(): number;
  wallMs(): number | undefined;
}
