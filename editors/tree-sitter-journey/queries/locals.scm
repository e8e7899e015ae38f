; Scopes, definitions and references (nvim-treesitter's capture names). Every name of a file
; is visible in the whole file: a journey's touchpoints reach each other across stages, and
; a library's channels and segments are used by the journeys that `use` it.
(source_file) @local.scope

(channel
  name: (identifier) @local.definition.type)
(segment
  name: (identifier) @local.definition.type)
(context_name
  name: (identifier) @local.definition.type)
(stage
  name: (identifier) @local.definition.namespace)
(scenario
  name: (identifier) @local.definition.namespace)
(touchpoint
  name: (identifier) @local.definition.function)
(option
  name: (identifier) @local.definition.function)
(trigger
  name: (identifier) @local.definition.function)
(goal
  name: (identifier) @local.definition.constant)

(identifier) @local.reference
