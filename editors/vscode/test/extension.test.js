// extension.js with stand-ins for the `vscode` API and the language client: activating starts
// `<journeyc.path> lsp` over stdio for `.journey` documents, and changing `journeyc.path`
// restarts the server with the new binary.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const Module = require('node:module');
const path = require('node:path');

function harness(settings) {
  const started = [];
  const stopped = [];
  const handlers = {};
  const errors = [];
  class LanguageClient {
    constructor(id, name, serverOptions, clientOptions) {
      Object.assign(this, { id, name, serverOptions, clientOptions, running: false });
    }
    async start() {
      if (settings.failStart) throw new Error('spawn nope ENOENT');
      this.running = true;
      started.push(this);
    }
    isRunning() {
      return this.running;
    }
    async stop() {
      this.running = false;
      stopped.push(this);
    }
  }
  const vscode = {
    workspace: {
      getConfiguration: (section) => {
        assert.equal(section, 'journeyc');
        return { get: (key) => settings[key] };
      },
      createFileSystemWatcher: (glob) => ({ glob }),
      onDidChangeConfiguration: (f) => {
        handlers.configuration = f;
        return { dispose() {} };
      },
    },
    window: { showErrorMessage: (m) => errors.push(m) },
    commands: {
      registerCommand: (name, f) => {
        handlers[name] = f;
        return { dispose() {} };
      },
    },
  };
  const client = { LanguageClient, TransportKind: { stdio: 0, ipc: 1 } };
  const original = Module._load;
  Module._load = function (request, ...rest) {
    if (request === 'vscode') return vscode;
    if (request === 'vscode-languageclient/node') return client;
    return original.call(this, request, ...rest);
  };
  const file = require.resolve(path.join(__dirname, '..', 'extension.js'));
  delete require.cache[file];
  try {
    return { extension: require(file), started, stopped, handlers, errors };
  } finally {
    Module._load = original;
  }
}

test('activating starts `journeyc lsp` over stdio for .journey documents', async () => {
  const h = harness({ path: undefined });
  const context = { subscriptions: [] };
  await h.extension.activate(context);
  assert.equal(h.started.length, 1);
  const c = h.started[0];
  assert.deepEqual(c.serverOptions.run, { command: 'journeyc', args: ['lsp'], transport: 0 });
  assert.deepEqual(c.serverOptions.debug, c.serverOptions.run);
  assert.deepEqual(
    c.clientOptions.documentSelector.map((d) => d.language),
    ['journey', 'journey'],
  );
  assert.equal(context.subscriptions.length, 2);
  await h.extension.deactivate();
  assert.equal(h.stopped.length, 1);
});

test('journeyc.path names the binary, and changing it restarts the server', async () => {
  const settings = { path: '/opt/journeyc/bin/journeyc' };
  const h = harness(settings);
  await h.extension.activate({ subscriptions: [] });
  assert.equal(h.started[0].serverOptions.run.command, '/opt/journeyc/bin/journeyc');
  settings.path = '/usr/local/bin/journeyc';
  await h.handlers.configuration({ affectsConfiguration: (s) => s === 'journeyc.path' });
  assert.equal(h.stopped.length, 1);
  assert.equal(h.started.length, 2);
  assert.equal(h.started[1].serverOptions.run.command, '/usr/local/bin/journeyc');
  await h.handlers.configuration({ affectsConfiguration: () => false });
  assert.equal(h.started.length, 2, 'another setting does not restart it');
  await h.handlers['journeyc.restartServer']();
  assert.equal(h.started.length, 3);
});

test('a binary that cannot start is reported, naming the setting', async () => {
  const h = harness({ path: 'nope', failStart: true });
  await h.extension.activate({ subscriptions: [] });
  assert.equal(h.errors.length, 1);
  assert.match(h.errors[0], /`nope lsp`/);
  assert.match(h.errors[0], /journeyc\.path/);
});

test('package.json contributes the language, its grammar and configuration, and the setting', () => {
  const pkg = require('../package.json');
  const fs = require('node:fs');
  const lang = pkg.contributes.languages.find((l) => l.id === 'journey');
  assert.deepEqual(lang.extensions, ['.journey']);
  const grammar = pkg.contributes.grammars.find((g) => g.language === 'journey');
  assert.equal(grammar.scopeName, 'source.journey');
  const tm = JSON.parse(fs.readFileSync(path.join(__dirname, '..', grammar.path), 'utf8'));
  assert.equal(tm.scopeName, 'source.journey');
  const conf = JSON.parse(fs.readFileSync(path.join(__dirname, '..', lang.configuration), 'utf8'));
  assert.equal(conf.comments.lineComment, '#', 'journey.pest: COMMENT is `#` to the end of the line');
  assert.equal(conf.comments.blockComment, undefined, 'the language has no block comment');
  assert.deepEqual(conf.brackets, [['{', '}'], ['(', ')']]);
  assert.equal(pkg.contributes.configuration.properties['journeyc.path'].default, 'journeyc');
  assert.equal(pkg.main, './extension.js');
});
