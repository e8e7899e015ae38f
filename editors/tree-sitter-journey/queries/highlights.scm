; Highlighting of .journey files. Capture names follow nvim-treesitter's (and Helix's / Zed's
; common subset); test/highlight/ checks them with `tree-sitter test`.

(comment) @comment

(string) @string
(use_decl
  path: (string) @string.special.path)

[
  (number)
  (signed_int)
  (percent)
  (duration_lit)
] @number

; Keywords that declare something.
[
  "journey"
  "channel"
  "segment"
  "stage"
  "touchpoint"
  "option"
  "trigger"
  "scenario"
  "context"
  "lifecycle"
] @keyword

"use" @keyword.import

; Attribute keywords and the words between their values.
[
  "owner"
  "description"
  "horizon"
  "max_steps"
  "primary_goal"
  "context_loss"
  "share"
  "prefers"
  "patience"
  "on"
  "entry"
  "duration"
  "friction"
  "emotion"
  "cost"
  "csat"
  "effort"
  "pain"
  "goal"
  "value"
  "for"
  "at"
  "after"
  "via"
  "limit"
  "kpi"
  "repeat"
  "winback"
  "discount"
  "max_cycles"
  "remove"
  "objective"
  "constraint"
  (moment_of_truth)
  (remove_kind)
  (direction)
] @keyword

[
  (channel_kind)
  (trigger_event)
  (exit_target)
] @constant.builtin

; Declared names.
(journey
  name: (identifier) @module)
(scenario
  name: (identifier) @module)
(stage
  name: (identifier) @module)
(channel
  name: (identifier) @type)
(channel_override
  name: (identifier) @type)
(segment
  name: (identifier) @type)
(context_name
  name: (identifier) @type)
(touchpoint
  name: (identifier) @function)
(touchpoint_override
  name: (identifier) @function)
(option
  name: (identifier) @function)
(trigger
  name: (identifier) @function)

; Names used.
(on_channel
  channel: (identifier) @type)
(via
  channel: (identifier) @type)
(target
  (identifier) @function.call)
(goal
  name: (identifier) @label)
(primary_goal
  goal: (identifier) @label)
(use_option
  option: (identifier) @function.call)
(remove
  name: (identifier) @function.call)
(metric
  name: (identifier) @function.builtin)
(metric_arg) @variable.parameter
(name_list
  (identifier) @variable)
(kpi
  segment: (identifier) @variable)
(constraint
  segment: (identifier) @variable)

[
  "->"
  ".."
  (comparison)
  (bound)
] @operator

[
  "{"
  "}"
  "("
  ")"
] @punctuation.bracket

[
  ","
  ":"
] @punctuation.delimiter
