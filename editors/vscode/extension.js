// The Journey extension: the language (contributed in package.json: grammar and language
// configuration) and a client of `journeyc lsp` (docs/lsp.md), the server journeyc serves over
// standard input and output.
'use strict';

const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

/** @type {LanguageClient | undefined} */
let client;

/** How VS Code starts the server: `<journeyc.path> lsp` over stdio. */
function serverOptions(configuration) {
  const command = configuration.get('path') || 'journeyc';
  const executable = { command, args: ['lsp'], transport: TransportKind.stdio };
  return { run: executable, debug: executable };
}

/** The documents the server is given: `.journey` files, saved or not. */
function clientOptions() {
  return {
    documentSelector: [
      { scheme: 'file', language: 'journey' },
      { scheme: 'untitled', language: 'journey' },
    ],
    synchronize: {
      // journeyc.toml configures the linter (docs/ci.md): the server is told when it changes.
      fileEvents: vscode.workspace.createFileSystemWatcher('**/{*.journey,journeyc.toml}'),
    },
  };
}

async function start() {
  const configuration = vscode.workspace.getConfiguration('journeyc');
  client = new LanguageClient(
    'journeyc',
    'Journey',
    serverOptions(configuration),
    clientOptions(),
  );
  try {
    await client.start();
  } catch (err) {
    const command = configuration.get('path') || 'journeyc';
    vscode.window.showErrorMessage(
      `Journey: could not start \`${command} lsp\` (${err && err.message ? err.message : err}). ` +
        'Install journeyc or set "journeyc.path" to its binary.',
    );
  }
}

async function stop() {
  if (client) {
    const running = client;
    client = undefined;
    if (running.isRunning()) {
      await running.stop();
    }
  }
}

/** @param {vscode.ExtensionContext} context */
async function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand('journeyc.restartServer', async () => {
      await stop();
      await start();
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration('journeyc.path')) {
        await stop();
        await start();
      }
    }),
  );
  await start();
}

function deactivate() {
  return stop();
}

module.exports = { activate, deactivate, serverOptions };
