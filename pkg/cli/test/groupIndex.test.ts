import { GroupIndex } from '../src/input/rowBatch';

describe('GroupIndex', () => {
  it('numbers groups in order of first appearance, whether rows come in runs or interleaved', () => {
    const groups = new GroupIndex(['web']);
    const names = ['db', 'db', 'web', 'db', 'cache', 'cache', 'web', 'cache'];
    expect(names.map((name) => groups.indexOf(name))).toEqual([1, 1, 0, 1, 2, 2, 0, 2]);
    expect(groups.names).toEqual(['web', 'db', 'cache']);
  });
});
