import { describe, expect, it } from 'vitest';
import { indexTree, newestLeaf, pathTo, siblingsOf, switchBranch, type TreeNode } from '../../src/lib/tree';

// u1 -> a1 -> u2 -> a2
//          \-> u2b -> a2b
//    -> a1b (regenerated answer)
const t = (id: string, parentId: string | null, createdAt: number): TreeNode => ({ id, parentId, createdAt });
const nodes = [
  t('u1', null, 1),
  t('a1', 'u1', 2),
  t('u2', 'a1', 3),
  t('a2', 'u2', 4),
  t('a1b', 'u1', 5),
  t('u2b', 'a1', 6),
  t('a2b', 'u2b', 7),
];
const ids = (list: TreeNode[]) => list.map((n) => n.id);

describe('message tree', () => {
  const index = indexTree(nodes);

  it('walks the path from the root to a leaf', () => {
    expect(ids(pathTo(index, 'a2'))).toEqual(['u1', 'a1', 'u2', 'a2']);
    expect(ids(pathTo(index, 'a2b'))).toEqual(['u1', 'a1', 'u2b', 'a2b']);
    expect(ids(pathTo(index, 'u2'))).toEqual(['u1', 'a1', 'u2']);
  });

  it('falls back to the newest branch when the leaf is unknown or missing', () => {
    expect(ids(pathTo(index, null))).toEqual(['u1', 'a1b']);
    expect(ids(pathTo(index, 'gone'))).toEqual(['u1', 'a1b']);
    expect(pathTo(indexTree([]), null)).toEqual([]);
  });

  it('lists siblings oldest first with the position of each', () => {
    expect(siblingsOf(index, 'a1b')).toMatchObject({ position: 1 });
    expect(ids(siblingsOf(index, 'a1').siblings)).toEqual(['a1', 'a1b']);
    expect(ids(siblingsOf(index, 'u2b').siblings)).toEqual(['u2', 'u2b']);
    expect(siblingsOf(index, 'u1')).toMatchObject({ position: 0 });
    expect(siblingsOf(index, 'missing').position).toBe(-1);
  });

  it('pages to the newest leaf of the neighbouring branch, and stops at the ends', () => {
    expect(switchBranch(index, 'a1', 1)?.id).toBe('a1b');
    expect(switchBranch(index, 'a1b', -1)?.id).toBe('a2b');
    expect(switchBranch(index, 'u2b', -1)?.id).toBe('a2');
    expect(switchBranch(index, 'a1', -1)).toBeUndefined();
    expect(switchBranch(index, 'a1b', 1)).toBeUndefined();
    expect(newestLeaf(index, 'u1')?.id).toBe('a1b');
  });

  it('treats messages whose parent is gone as roots and survives cycles', () => {
    const orphan = indexTree([t('x', 'deleted', 1), t('y', 'x', 2)]);
    expect(ids(pathTo(orphan, 'y'))).toEqual(['x', 'y']);
    const cyclic = indexTree([t('p', 'q', 1), t('q', 'p', 2)]);
    expect(pathTo(cyclic, 'p').length).toBeLessThanOrEqual(2);
  });
});
