/**
 * A proxy over fake Prometheus upstreams, one per name (a fake answers every query with its series, whatever the
 * query text: a test picks the series with `upstream=`).
 */
import { parseConfig } from '../../src/config';
import { RunningProxy, startProxy } from '../../src/server';
import { type FakeSeries, type FakeServer, startFakePrometheus } from './fakeUpstreams';

export interface ProxyOverFakes {
  proxy: RunningProxy;
  /** The fakes, in the order of their names. */
  fakes: FakeServer[];
  close(): Promise<void>;
}

/** Starts the fakes and a proxy with one upstream each; the first name is the default upstream. */
export async function startProxyOverFakes(
  upstreams: Record<string, FakeSeries[]>,
  /** More lines of the config (e.g. `server: { writeTimeout: 1s }`). */
  extraYaml: string[] = []
): Promise<ProxyOverFakes> {
  const names = Object.keys(upstreams);
  const fakes: FakeServer[] = await Promise.all(names.map((name) => startFakePrometheus(upstreams[name])));
  const yaml = [
    'listen: "127.0.0.1:0"',
    'upstreams:',
    ...names.map((name, i) => `  ${name}: { type: prometheus, url: "${fakes[i].url}" }`),
    `defaultUpstream: ${names[0]}`,
    'log: { level: silent }',
    ...extraYaml,
  ].join('\n');
  const proxy = await startProxy(parseConfig(yaml, 'test'));
  return {
    proxy,
    fakes,
    close: async () => {
      await proxy.close();
      await Promise.all(fakes.map((fake) => fake.close()));
    },
  };
}
