// Runs one hop in a process of its own, as deployed: the anomaly proxy, the bare node:http hop or the TCP relay,
// forwarding to a target URL. The bench's client then shares neither an event loop nor the test support's loaded
// modules (ts-node loads node:repl and with it node:domain, which wraps every EventEmitter) with the hop it measures.
//   node bench/lib/hopProcess.js <proxy|bare|relay> <targetUrl>   prints the hop's URL as its first line of stdout
// startHopProcess() is the parent's side.
const { spawn } = require('child_process');
const path = require('path');
const readline = require('readline');

/** Starts the hop in a child process; resolves to { url, close() } once it listens. */
function startHopProcess(kind, targetUrl) {
  const child = spawn(process.execPath, [__filename, kind, targetUrl], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    child.once('exit', (code) => reject(new Error(`${kind} hop exited with ${code} before listening`)));
    lines.once('line', (url) => {
      lines.close();
      child.stdout.resume();
      resolve({
        url,
        close: () =>
          new Promise((done) => {
            child.removeAllListeners('exit');
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

async function startHop(kind, targetUrl) {
  if (kind === 'bare') {
    return require('./bareHttpProxy').startBareHttpProxy(targetUrl);
  }
  if (kind === 'relay') {
    return require('./tcpRelay').startTcpRelay(targetUrl);
  }
  const fs = require('fs');
  const { parseConfig, startProxy } = require(path.join(__dirname, '..', '..', 'pkg', 'proxy', 'dist'));
  const config = parseConfig(
    ['listen: 127.0.0.1:0', 'upstreams:', `  prom: { type: prometheus, url: ${JSON.stringify(targetUrl)} }`].join('\n'),
    'bench hop config'
  );
  // A deployment logs a line per request: keep that cost, off the bench's output.
  return startProxy(config, { logStream: fs.createWriteStream('/dev/null') });
}

if (require.main === module) {
  const [kind, targetUrl] = process.argv.slice(2);
  startHop(kind, targetUrl).then(
    (hop) => {
      process.stdout.write(`${hop.url}\n`);
      process.once('SIGTERM', () => hop.close().then(() => process.exit(0)));
    },
    (error) => {
      console.error(error);
      process.exit(1);
    }
  );
}

module.exports = { startHopProcess };
