import { LruCache } from '../src/models/lruCache';

describe('LruCache', () => {
  it('evicts the least recently used entry beyond maxWeight (1 per entry by default)', () => {
    const evicted: string[] = [];
    const cache = new LruCache<string, number>(2, (key) => evicted.push(key));
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1); // a is now the most recent
    cache.set('c', 3);
    expect(evicted).toEqual(['b']);
    expect(cache.has('b')).toBe(false);
    expect(cache.keys()).toEqual(['a', 'c']);
    expect(cache.size).toBe(2);
  });

  it('re-setting a key refreshes it without growing', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('a', 10);
    cache.set('c', 3);
    expect(cache.get('a')).toBe(10);
    expect(cache.get('b')).toBeUndefined();
  });

  it('bounds the total weight of its entries when given weigh(), evicting the least recently used first', () => {
    const evicted: string[] = [];
    const cache = new LruCache<string, number[]>(
      10,
      (key) => evicted.push(key),
      (value) => value.length
    );
    cache.set('a', [1, 2, 3, 4]);
    cache.set('b', [1, 2, 3]);
    cache.get('a');
    cache.set('c', [1, 2, 3, 4, 5]); // 12 > 10: b (least recently used) goes, a stays
    expect(evicted).toEqual(['b']);
    expect(cache.weight).toBe(9);
    cache.set('a', [1]); // replaced: its new weight counts, not its old one
    expect(cache.weight).toBe(6);
    cache.delete('c');
    expect(cache.weight).toBe(1);
    cache.set('huge', new Array(11).fill(0)); // heavier than the whole budget: not kept, and a stays
    expect(evicted).toEqual(['b', 'huge']);
    expect(cache.keys()).toEqual(['a']);
    expect(cache.weight).toBe(1);
  });

  it('rejects a size below 1', () => {
    expect(() => new LruCache(0)).toThrow('positive integer');
  });
});
