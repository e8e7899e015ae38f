; Every block folds: a journey, its segments, stages, touchpoints, options, triggers, lifecycle
; and scenarios, and a channel's `{ cost … }`.
[
  (journey)
  (segment)
  (stage)
  (touchpoint)
  (option)
  (trigger)
  (lifecycle)
  (scenario)
  (touchpoint_override)
  (channel_body)
] @fold
