// Runs one hop in a process of its own, as deployed: the anomaly proxy, the bare node:http hop or the TCP relay,
// forwarding to a target URL. The bench's client then shares neither an event loop nor the test support's loaded
// modules (ts-node loads node:repl and with it node:domain, which wraps every EventEmitter) with the hop it measures.
//   node bench/lib/hopProcess.js <proxy|bare|relay> <targetUrl>   prints the hop's URL as its first line of stdout
// and exits when its stdin closes (so a bench that dies leaves no hop behind). startHopProcess() is the parent's side.
const { spawn } = require('child_process');
const path = require('path');
const readline = require('readline');

/** How long close() waits for the hop to exit after SIGTERM before it kills it. */
const EXIT_GRACE_MS = 5000;

/** Starts the hop in a child process; resolves to { url, pid, close() } once it listens. */
function startHopProcess(kind, targetUrl) {
  const child = spawn(process.execPath, [__filename, kind, targetUrl], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    exited.then((code) => reject(new Error(`${kind} hop exited with ${code} before listening`)));
    lines.once('line', (url) => {
      lines.close();
      child.stdout.resume();
      resolve({
        url,
        pid: child.pid,
        close: async () => {
          if (child.exitCode === null && child.signalCode === null) {
            child.kill('SIGTERM');
            const timer = setTimeout(() => child.kill('SIGKILL'), EXIT_GRACE_MS);
            await exited;
            clearTimeout(timer);
          }
          child.stdin.destroy();
        },
      });
    });
  });
}

/**
 * The anomaly proxy over one Prometheus upstream, logging a line per request to /dev/null through the proxy's own
 * batched log destination, as it logs to stdout when deployed.
 */
function startQuietProxy(targetUrl) {
  const { parseConfig, startProxy } = require(path.join(__dirname, '..', '..', 'pkg', 'proxy', 'dist'));
  const config = parseConfig(
    ['listen: 127.0.0.1:0', 'upstreams:', `  prom: { type: prometheus, url: ${JSON.stringify(targetUrl)} }`].join('\n'),
    'bench hop config'
  );
  return startProxy(config, { logDestination: '/dev/null' });
}

function startHop(kind, targetUrl) {
  if (kind === 'bare') {
    return require('./bareHttpProxy').startBareHttpProxy(targetUrl);
  }
  if (kind === 'relay') {
    return require('./tcpRelay').startTcpRelay(targetUrl);
  }
  return startQuietProxy(targetUrl);
}

if (require.main === module) {
  const [kind, targetUrl] = process.argv.slice(2);
  startHop(kind, targetUrl).then(
    (hop) => {
      process.stdout.write(`${hop.url}\n`);
      const stop = () => hop.close().then(() => process.exit(0));
      process.once('SIGTERM', stop);
      process.stdin.on('end', stop);
      process.stdin.resume();
    },
    (error) => {
      console.error(error);
      process.exit(1);
    }
  );
}

module.exports = { startHopProcess, startQuietProxy };
