import { MessageChannel } from 'node:worker_threads';
import { AnomalyDetector, type SeriesTable } from '@telemetry-analyzer/engine';
import { syntheticSeries, times } from '../../testing/frames';
import { SCORE_CHUNK_ROWS, scoreInChunks } from '../../pipeline/chunkedScore';
import { PEER_MIN_ROWS, PeerLink, type PeerMessage, type PeerPort, peerCut, scoreSharing } from '../peerScoring';

const noPause = () => Promise.resolve();

/** Channels opened by a test, closed after it (an open port keeps the test process alive). */
const channels: MessageChannel[] = [];
afterEach(() => channels.splice(0).forEach((channel) => channel.port1.close()));

/**
 * This worker's link and its peer's, over a real MessageChannel (Node's, as in a worker: messages cloned or
 * transferred); `sent` records every message between them as it arrives.
 */
function linkedPeers(peerBusy = false, peerPause = noPause): { here: PeerLink; sent: PeerMessage[] } {
  const channel = new MessageChannel();
  channels.push(channel);
  const sent: PeerMessage[] = [];
  channel.port1.on('message', (message: PeerMessage) => sent.push(message));
  channel.port2.on('message', (message: PeerMessage) => sent.push(message));
  new PeerLink(channel.port2 as unknown as PeerPort, () => peerBusy, peerPause);
  return { here: new PeerLink(channel.port1 as unknown as PeerPort, () => false, noPause), sent };
}

function bigTable(): SeriesTable {
  const n = PEER_MIN_ROWS + 3 * SCORE_CHUNK_ROWS + 77; // an odd number of chunks, the last one short
  const values = Float64Array.from(syntheticSeries(n, [700, 90_000, 120_000]));
  // Gaps just before the cut: the peer's first chunk needs history from further back than WARMUP rows.
  const cut = peerCut(n);
  for (let r = cut - 12; r < cut - 2; r += 3) {
    values[r] = NaN;
  }
  return { timestamps: Float64Array.from(times(n)), columns: [{ name: 'v', values }] };
}

function trained(table: SeriesTable): AnomalyDetector {
  return AnomalyDetector.train(
    {
      timestamps: table.timestamps.subarray(0, 5000),
      columns: [{ name: 'v', values: table.columns[0].values.subarray(0, 5000) }],
    },
    { forest: { nEstimators: 20, seed: 5, contamination: 0.01 } }
  );
}

describe('scoreSharing', () => {
  const table = bigTable();
  const detector = trained(table);
  // As analyseJob: the complete rows before a row that its features need.
  const { window, lags } = detector.options.features;
  const WARMUP = Math.max(window - 1, lags, 1);
  let alone: Awaited<ReturnType<typeof scoreInChunks>>;
  beforeAll(async () => {
    alone = await scoreInChunks(detector, table, WARMUP, noPause);
  });

  it('gives every row the score one worker alone gives, the peer scoring the second half of the chunks', async () => {
    const { here, sent } = linkedPeers();
    const shared = await scoreSharing(detector, table, WARMUP, noPause, 2048, here);
    expect(Array.from(shared.rows)).toEqual(Array.from(alone.rows));
    expect(Array.from(shared.scores)).toEqual(Array.from(alone.scores));
    expect(shared.threshold).toBe(alone.threshold);
    const answers = sent.filter((m) => m.type === 'peer-scored');
    expect(answers).toHaveLength(1);
    // The peer's half: from the chunk boundary at the middle of the chunks to the end.
    const peerRows = (answers[0] as Extract<PeerMessage, { type: 'peer-scored' }>).rows.length;
    const n = table.timestamps.length;
    expect(peerRows).toBe(n - peerCut(n));
    expect(peerCut(n) % SCORE_CHUNK_ROWS).toBe(0);
  });

  it('scores everything here when the peer is busy with a job of its own', async () => {
    const { here, sent } = linkedPeers(true);
    const shared = await scoreSharing(detector, table, WARMUP, noPause, 2048, here);
    expect(Array.from(shared.scores)).toEqual(Array.from(alone.scores));
    expect(sent.map((m) => m.type)).toEqual(['peer-score', 'peer-declined']);
  });

  it('asks no peer for a table below PEER_MIN_ROWS rows', async () => {
    const small: SeriesTable = {
      timestamps: table.timestamps.subarray(0, PEER_MIN_ROWS - 1),
      columns: [{ name: 'v', values: table.columns[0].values.subarray(0, PEER_MIN_ROWS - 1) }],
    };
    const { here, sent } = linkedPeers();
    const shared = await scoreSharing(detector, small, WARMUP, noPause, 2048, here);
    expect(sent).toEqual([]);
    expect(shared.rows.length).toBe(alone.rows.filter((row) => row < PEER_MIN_ROWS - 1).length);
  });

  it("stops the peer's half when this worker's job is cancelled", async () => {
    // The peer's pauses let messages in, as a worker's do.
    const { here, sent } = linkedPeers(false, () => new Promise((resolve) => setTimeout(resolve, 0)));
    let pauses = 0;
    const cancelledSoon = async () => {
      if (++pauses > 3) {
        throw new Error('cancelled');
      }
    };
    await expect(scoreSharing(detector, table, WARMUP, cancelledSoon, 2048, here)).rejects.toThrow('cancelled');
    while (!sent.some((m) => m.type === 'peer-declined' || m.type === 'peer-scored')) {
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    expect(sent.map((m) => m.type)).toEqual(['peer-score', 'peer-cancel', 'peer-declined']);
  });

  it("a job cancelled while it waits for its peer's half ends at once (cancelOutstanding), and the peer stops", async () => {
    // This worker's half takes no pauses and is done first; the peer's pauses let messages in.
    const { here, sent } = linkedPeers(false, () => new Promise((resolve) => setTimeout(resolve, 0)));
    let cancelled = false;
    const pause = async () => {
      if (cancelled) {
        throw new Error('cancelled');
      }
    };
    const shared = scoreSharing(detector, table, WARMUP, pause, 2048, here);
    const outcome = shared.then(
      () => 'scored',
      (error: Error) => error.message
    );
    // This worker's half (pauses that resolve at once) is done within the microtasks before the request's message
    // arrives; wait for that state, with the peer's half still under way (no answer yet): the job is waiting.
    while (!sent.some((m) => m.type === 'peer-score')) {
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    expect(sent.map((m) => m.type)).toEqual(['peer-score']);
    cancelled = true;
    here.cancelOutstanding();
    await expect(outcome).resolves.toBe('cancelled');
    while (!sent.some((m) => m.type === 'peer-declined' || m.type === 'peer-scored')) {
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    expect(sent.map((m) => m.type)).toEqual(['peer-score', 'peer-cancel', 'peer-declined']);
  });
});
