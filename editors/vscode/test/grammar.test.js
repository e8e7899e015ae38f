// The TextMate grammar (syntaxes/journey.tmLanguage.json), tokenised with vscode-textmate and
// the Oniguruma engine VS Code itself uses (vscode-oniguruma's wasm), against a small reference
// lexer of grammar/journey.pest written here: on every sample journey, each comment, label,
// number, keyword and name gets the scope it should, and no token is left with no scope but
// `source.journey`. Run with `node --test test/` (tests/editors_vscode.rs runs it).
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const EXTENSION = path.join(__dirname, '..');
const REPO = path.join(EXTENSION, '..', '..');

async function loadGrammar() {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName) => {
      if (scopeName !== 'source.journey') return null;
      const file = path.join(EXTENSION, 'syntaxes', 'journey.tmLanguage.json');
      return vsctm.parseRawGrammar(fs.readFileSync(file, 'utf8'), file);
    },
  });
  return registry.loadGrammar('source.journey');
}

/** The scopes of every character of `text`, line by line: `[line][column] → string[]`. */
function scopesOf(grammar, text) {
  let stack = vsctm.INITIAL;
  return text.split(/\r\n|\r|\n/).map((line) => {
    const r = grammar.tokenizeLine(line, stack);
    stack = r.ruleStack;
    const perChar = new Array(line.length);
    for (const t of r.tokens) {
      for (let i = t.startIndex; i < Math.min(t.endIndex, line.length); i++) perChar[i] = t.scopes;
    }
    return perChar;
  });
}

// Every keyword of grammar/journey.pest (kw_*, channel kinds, events, directions, remove kinds).
const KEYWORDS = new Set(
  ('use journey owner description horizon max_steps primary_goal channel context context_loss ' +
    'segment share prefers patience stage touchpoint on entry duration friction emotion cost ' +
    'csat effort pain moment_of_truth goal value for trigger at after via limit kpi lifecycle ' +
    'repeat winback discount max_cycles scenario remove option objective constraint ' +
    'digital physical human abandon exit maximize minimize').split(' '),
);
// After these, a word is a name (keywords are contextual in pest: names only follow keywords).
const NAME_AFTER = new Set(
  ('journey channel segment stage touchpoint option trigger scenario context via goal ' +
    'primary_goal use for prefers at , kpi constraint maximize minimize (').split(' '),
);

/** A reference lexer of journey.pest's tokens, for a line at a time (labels and comments end
 * with the line): `{kind, text, line, col}`; kind is comment, string, duration, percent, number,
 * word or punct. `expect` is `keyword` or `name` for words. */
function lex(text) {
  const out = [];
  const re =
    /(#[^\r\n]*)|("(?:[^"\\\r\n]|\\["\\])*")|([+-]?[0-9]+(?:\.[0-9]+)?[smhdw](?![A-Za-z0-9_]))|([+-]?[0-9]+(?:\.[0-9]+)?%)|([+-]?[0-9]+(?:\.[0-9]+)?)|([A-Za-z_][A-Za-z0-9_]*)|(->|\.\.|>=|<=|[<>{}(),:])|([ \t]+)|(.)/gy;
  text.split(/\r\n|\r|\n/).forEach((line, ln) => {
    re.lastIndex = 0;
    let m;
    while ((m = re.exec(line))) {
      const kinds = ['comment', 'string', 'duration', 'percent', 'number', 'word', 'punct', 'space', 'other'];
      const kind = kinds[m.slice(1).findIndex((g) => g !== undefined)];
      if (kind === 'space') continue;
      if (kind === 'other') throw new Error(`unexpected ${JSON.stringify(m[0])} at ${ln + 1}:${m.index + 1}`);
      out.push({ kind, text: m[0], line: ln, col: m.index });
      if (re.lastIndex >= line.length) break;
    }
  });
  let prev = null;
  for (const t of out) {
    if (t.kind === 'comment') continue;
    if (prev && prev.text === '(') t.kind = 'word'; // a metric's argument: `retention(2)`
    if (t.kind === 'word') {
      const p = prev && prev.text;
      if (p === '->') t.expect = t.text === 'exit' ? 'keyword' : 'name';
      else if (p === 'on') t.expect = t.text === 'abandon' || t.text === 'exit' ? 'keyword' : 'name';
      else if (p === 'remove') t.expect = 'keyword';
      else if (NAME_AFTER.has(p) && !(prev.kind === 'word' && prev.expect === 'name')) t.expect = 'name';
      else t.expect = KEYWORDS.has(t.text) ? 'keyword' : 'name';
    }
    prev = t;
  }
  return out;
}

const EXPECTED = {
  comment: (s) => s.includes('comment.line.number-sign.journey'),
  string: (s) => s.includes('string.quoted.double.journey'),
  duration: (s) => s.some((x) => x.startsWith('constant.numeric.duration.journey')),
  percent: (s) => s.some((x) => x.startsWith('constant.numeric.percentage.journey')),
  number: (s) => s.includes('constant.numeric.journey'),
  punct: (s) => s.length > 1 && s.some((x) => /^(punctuation|keyword\.operator)\./.test(x)),
  keyword: (s) => s.some((x) => /^(keyword|storage\.type|constant\.language)\./.test(x)),
  name: (s) => s.some((x) => /^(entity\.name|variable|support\.function)\./.test(x)),
};

function check(grammar, text, where) {
  const scopes = scopesOf(grammar, text);
  const tokens = lex(text);
  assert.ok(tokens.length > 0, `${where}: no token`);
  for (const t of tokens) {
    const want = t.kind === 'word' ? t.expect : t.kind;
    for (let i = t.col; i < t.col + t.text.length; i++) {
      const s = scopes[t.line][i] || [];
      assert.ok(
        EXPECTED[want](s),
        `${where}:${t.line + 1}:${i + 1}: ${t.kind} ${JSON.stringify(t.text)} should be scoped as ${want}, got ${JSON.stringify(s)}`,
      );
    }
  }
  return tokens.length;
}

/** The sample journeys: examples/, and shared/journeys/ when it is beside the repository. */
function samples() {
  const files = [];
  const walk = (dir) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.journey')) files.push(p);
    }
  };
  walk(path.join(REPO, 'examples'));
  walk(path.join(REPO, '..', 'shared', 'journeys'));
  return files.sort();
}

test('every sample journey is scoped token by token', async () => {
  const grammar = await loadGrammar();
  const files = samples();
  assert.ok(files.length >= 6, `only ${files.length} samples found`);
  let tokens = 0;
  for (const f of files) tokens += check(grammar, fs.readFileSync(f, 'utf8'), path.relative(REPO, f));
  assert.ok(tokens > 1000, `only ${tokens} tokens checked`);
});

test('contextual keywords used as names, escapes and every kind of literal', async () => {
  const grammar = await loadGrammar();
  const text = [
    'use "common.journey" # a library',
    'journey goal "A \\"quoted\\" label \\\\ here" {',
    '  horizon 1.5w',
    '  context shared: web, email',
    '  stage stage {',
    '    touchpoint goal "Goal" on web {',
    '      entry 0.25',
    '      duration 2m..6m for loyal, bargain',
    '      emotion -1',
    '      csat 80% pain 40%',
    '      goal purchase value 60 for loyal',
    '      -> review +5% for segment',
    '      -> exit',
    '      option for "named for" { cost 1.20 }',
    '    }',
    '  }',
    '  trigger nudge { on abandon at goal, review  after 1d  via email  limit 1  -> goal 20% }',
    '  kpi retention(2) for loyal >= 30%',
    '  objective maximize conversion(purchase)',
    '  constraint cost_per_customer <= 2.5',
    '  scenario s { remove touchpoint goal  touchpoint review { use quick for loyal } channel web human }',
    '}',
  ].join('\n');
  check(grammar, text, 'snippet');
  const s = scopesOf(grammar, text);
  const lines = text.split('\n');
  // The scopes of the first character of `needle` on line `line` (1-based).
  const at = (line, needle) => {
    const col = lines[line - 1].indexOf(needle);
    assert.ok(col >= 0, `${needle} is not on line ${line}`);
    return s[line - 1][col];
  };
  assert.ok(at(2, 'goal').includes('entity.name.type.journey.journey'), 'journey goal: a name');
  assert.ok(at(2, '\\\"').includes('constant.character.escape.journey'), '\\" is an escape');
  assert.ok(at(5, 'stage {').includes('entity.name.type.stage.journey'), 'stage stage: a name');
  assert.ok(at(6, 'goal').includes('entity.name.function.touchpoint.journey'));
  assert.ok(at(14, 'for "').includes('entity.name.function.option.journey'), 'option for: a name');
  assert.ok(at(12, 'review').includes('variable.other.touchpoint.journey'));
  assert.ok(at(13, 'exit').includes('constant.language.exit.journey'));
  assert.ok(at(17, 'abandon').includes('constant.language.event.journey'), 'on abandon');
  assert.ok(at(18, 'retention').includes('support.function.metric.journey'), 'kpi retention');
  assert.ok(at(18, '2').includes('variable.parameter.metric.journey'), 'retention(2)');
  assert.ok(at(3, 'w').includes('keyword.other.unit.journey'), 'the w of 1.5w');
  assert.ok(at(4, 'shared').includes('entity.name.type.context.journey'), 'context shared:');
  assert.ok(!at(1, 'use').includes('storage.type.journey'));
  assert.ok(at(1, 'use').includes('keyword.control.import.journey'), 'use "…"');
});

test('a label does not run past the end of its line', async () => {
  const grammar = await loadGrammar();
  const s = scopesOf(grammar, 'owner "unterminated\nstage x {}');
  assert.ok(!s[1][0].includes('string.quoted.double.journey'));
  assert.ok(s[1][0].includes('storage.type.stage.journey'));
});
