/**
 * @file Tree-sitter grammar for the `.journey` language of journeyc.
 *
 * It follows `grammar/journey.pest` (the reference) rule for rule, under the same names where
 * tree-sitter allows it, and accepts exactly the files that `journeyc::syntax::parse` accepts:
 * `tests/tree_sitter.rs` in the journeyc crate checks that on the fixture corpus and thousands
 * of mutated files. Where pest is a PEG with look-ahead, tree-sitter needs another device:
 *
 * - `!ident_char` after a keyword: tree-sitter's keyword extraction (`word`) does it;
 * - `!ident_char` (and `!"."`, `!"%"`) after a number, percentage or duration: the external
 *   scanner `src/scanner.c` lexes those four literals with the same look-ahead;
 * - `decl_name = !exit ~ ident`: the reserved-word set `declaration`;
 * - what the lowering refuses after pest accepted it (also J0001, so also a syntax error here):
 *   an option named `as_is` (reserved-word set `option_name`) and an option stating `entry`
 *   or `goal` (not in `_option_attr`).
 *
 * Keywords are contextual, as in pest: a name may be `review` or even `goal`.
 */

/// <reference types="tree-sitter-cli/dsl" />
// @ts-check

/** `ident ("," ident)*` */
const list = (item) => seq(item, repeat(seq(',', item)));

module.exports = grammar({
  name: 'journey',

  // Spaces, tabs and line breaks only (pest's WHITESPACE), and `#` comments.
  extras: $ => [/[ \t\r\n]/, $.comment],

  externals: $ => [$.number, $.percent, $.duration_lit, $.signed_int],

  word: $ => $.identifier,

  // The first set applies wherever a rule does not name another: no name is reserved there.
  reserved: {
    none: _ => [],
    declaration: _ => ['exit'],
    option_name: _ => ['exit', 'as_is'],
  },

  rules: {
    // `use` lines, then one journey or library items (or nothing: an empty library).
    source_file: $ => seq(
      repeat($.use_decl),
      optional(choice($.journey, repeat1($._library_item))),
    ),

    use_decl: $ => seq('use', field('path', $.string)),

    _library_item: $ => choice($.channel, $.segment, $.context),

    journey: $ => seq(
      'journey',
      field('name', $._decl_name),
      optional(field('label', $.string)),
      '{',
      repeat($._journey_item),
      '}',
    ),

    _journey_item: $ => choice(
      $.owner, $.description, $.horizon, $.max_steps, $.primary_goal, $.channel,
      $.context_loss, $.context, $.segment, $.stage, $.trigger, $.lifecycle, $.kpi,
      $.objective, $.constraint, $.scenario,
    ),

    owner: $ => seq('owner', $.string),
    description: $ => seq('description', $.string),
    horizon: $ => seq('horizon', $.duration_lit),
    max_steps: $ => seq('max_steps', $.number),
    primary_goal: $ => seq('primary_goal', field('goal', $.identifier)),

    channel: $ => seq(
      'channel',
      field('name', $._decl_name),
      field('kind', $.channel_kind),
      optional($.channel_body),
    ),
    channel_kind: _ => choice('digital', 'physical', 'human'),
    channel_body: $ => seq('{', repeat($.cost), '}'),

    // `context CH, …` or `context NAME: CH, …`. The first name of the list may be `exit`
    // (pest's `ident`), the group's name may not: `exit` is a keyword in this one place so
    // that `context exit: web` is refused and `context exit, web` is not.
    context: $ => seq(
      'context',
      optional($.context_name),
      alias($._context_list, $.name_list),
    ),
    context_name: $ => seq(field('name', $._decl_name), ':'),
    _context_list: $ => seq(
      choice($.identifier, alias('exit', $.identifier)),
      repeat(seq(',', $.identifier)),
    ),
    context_loss: $ => seq('context_loss', $.probability),

    segment: $ => seq(
      'segment',
      field('name', $._decl_name),
      optional(field('label', $.string)),
      '{',
      repeat(choice($.share, $.prefers, $.patience)),
      '}',
    ),
    share: $ => seq('share', $.probability),
    prefers: $ => seq('prefers', $.name_list),
    patience: $ => seq('patience', $.probability),

    stage: $ => seq(
      'stage',
      field('name', $._decl_name),
      optional(field('label', $.string)),
      '{',
      repeat($.touchpoint),
      '}',
    ),

    touchpoint: $ => seq(
      'touchpoint',
      field('name', $._decl_name),
      optional(field('label', $.string)),
      $.on_channel,
      '{',
      repeat($._touchpoint_attr),
      '}',
    ),
    on_channel: $ => seq('on', field('channel', $.identifier)),

    _touchpoint_attr: $ => choice($.entry, $.goal, $.option, $._option_attr),

    // An alternative of the touchpoint; the lowering refuses `entry` and `goal` in it.
    option: $ => seq(
      'option',
      field('name', reserved('option_name', $.identifier)),
      optional(field('label', $.string)),
      '{',
      repeat($._option_attr),
      '}',
    ),
    _option_attr: $ => choice(
      $.duration, $.friction, $.emotion, $.cost, $.csat, $.effort, $.moment_of_truth, $.arrow,
    ),

    entry: $ => seq('entry', optional($.probability)),
    duration: $ => seq(
      'duration',
      $.duration_lit,
      optional(seq('..', $.duration_lit)),
      optional($.for_segments),
    ),
    friction: $ => seq(
      'friction',
      $.probability,
      optional(field('label', $.string)),
      optional($.for_segments),
    ),
    emotion: $ => seq('emotion', $.signed_int, optional($.for_segments)),
    cost: $ => seq('cost', $.number, optional($.for_segments)),
    csat: $ => seq(
      'csat',
      $.probability,
      optional(seq('pain', $.probability)),
      optional($.for_segments),
    ),
    effort: $ => seq(
      'effort',
      $.number,
      optional(seq('pain', $.number)),
      optional($.for_segments),
    ),
    moment_of_truth: _ => 'moment_of_truth',
    goal: $ => seq(
      'goal',
      field('name', $.identifier),
      optional(seq('value', $.number)),
      optional($.for_segments),
    ),
    for_segments: $ => seq('for', $.name_list),

    arrow: $ => seq(
      '->',
      field('target', $.target),
      optional($.probability),
      optional(seq('for', $.name_list)),
    ),
    target: $ => choice(alias('exit', $.exit_target), $.identifier),

    trigger: $ => seq(
      'trigger',
      field('name', $._decl_name),
      optional(field('label', $.string)),
      '{',
      repeat(choice($.trigger_on, $.after, $.via, $.limit, $.arrow)),
      '}',
    ),
    trigger_on: $ => seq('on', $.trigger_event, 'at', $.name_list),
    trigger_event: _ => choice('abandon', 'exit'),
    after: $ => seq('after', $.duration_lit),
    via: $ => seq('via', field('channel', $.identifier)),
    limit: $ => seq('limit', $.number),

    lifecycle: $ => seq(
      'lifecycle',
      '{',
      repeat(choice($.repeat, $.winback, $.discount, $.max_cycles)),
      '}',
    ),
    repeat: $ => seq(
      'repeat',
      $.probability,
      optional($.after_range),
      optional($.for_segments),
    ),
    winback: $ => seq(
      'winback',
      $.probability,
      optional($.after_range),
      optional($.for_segments),
    ),
    after_range: $ => seq('after', $.duration_lit, optional(seq('..', $.duration_lit))),
    discount: $ => seq('discount', $.probability),
    max_cycles: $ => seq('max_cycles', $.number),

    objective: $ => seq('objective', $.direction, $.metric),
    direction: _ => choice('maximize', 'minimize'),
    constraint: $ => seq(
      'constraint',
      $.metric,
      optional(seq('for', field('segment', $.identifier))),
      $.bound,
      $.kpi_value,
    ),
    bound: _ => choice('>=', '<='),

    kpi: $ => seq(
      'kpi',
      $.metric,
      optional(seq('for', field('segment', $.identifier))),
      $.comparison,
      $.kpi_value,
    ),
    metric: $ => seq(
      field('name', $.identifier),
      optional(seq('(', field('argument', $.metric_arg), ')')),
    ),
    metric_arg: _ => /[A-Za-z0-9_]+/,
    comparison: _ => choice('>=', '<=', '>', '<'),
    kpi_value: $ => choice($.duration_lit, $.percent, $.number),

    scenario: $ => seq(
      'scenario',
      field('name', $._decl_name),
      optional(field('label', $.string)),
      '{',
      repeat($._scenario_item),
      '}',
    ),
    _scenario_item: $ => choice(
      $.remove, $.touchpoint_override, $.channel_override, $.segment, $.trigger, $.stage,
      $.context_loss, $.context, $.lifecycle,
    ),
    touchpoint_override: $ => seq(
      'touchpoint',
      field('name', $.identifier),
      optional(field('label', $.string)),
      optional($.on_channel),
      '{',
      repeat(choice($.use_option, $._touchpoint_attr)),
      '}',
    ),
    // `use as_is` names the touchpoint as written: `as_is` is a token (so that option names
    // can reserve it), read here as the name it is.
    use_option: $ => seq(
      'use',
      field('option', choice($.identifier, alias('as_is', $.identifier))),
      optional($.for_segments),
    ),
    channel_override: $ => seq(
      'channel',
      field('name', $.identifier),
      optional(field('kind', $.channel_kind)),
      optional($.channel_body),
    ),
    remove: $ => seq('remove', $.remove_kind, field('name', $.identifier)),
    remove_kind: _ => choice('touchpoint', 'trigger'),

    name_list: $ => list($.identifier),

    probability: $ => choice($.percent, $.number),

    // A declared name: any name but the reserved `exit`.
    _decl_name: $ => reserved('declaration', $.identifier),

    identifier: _ => /[A-Za-z_][A-Za-z0-9_]*/,

    // A label: `"…"` with `\"` and `\\` escapes, on one line.
    string: _ => token(seq('"', repeat(choice(/[^"\\\r\n]/, /\\["\\]/)), '"')),

    // `#` to the end of the line (LF, CRLF or a lone CR).
    comment: _ => token(seq('#', /[^\r\n]*/)),
  },
});
