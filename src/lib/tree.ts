// The message tree of a conversation: the path on screen, siblings (branches) of a message,
// and which leaf to show when the user pages to another branch. Pure functions.

export interface TreeNode {
  id: string;
  parentId: string | null;
  createdAt: number;
}

export interface TreeIndex<T extends TreeNode> {
  byId: Map<string, T>;
  /** Children per parent id ('' for roots), oldest first. */
  children: Map<string, T[]>;
}

export function indexTree<T extends TreeNode>(nodes: T[]): TreeIndex<T> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const children = new Map<string, T[]>();
  for (const n of nodes) {
    const key = n.parentId && byId.has(n.parentId) ? n.parentId : '';
    const list = children.get(key);
    if (list) list.push(n);
    else children.set(key, [n]);
  }
  for (const list of children.values()) list.sort((a, b) => a.createdAt - b.createdAt);
  return { byId, children };
}

/** Follows the newest child down to a leaf. */
export function newestLeaf<T extends TreeNode>(index: TreeIndex<T>, fromId: string): T | undefined {
  let cur = index.byId.get(fromId);
  while (cur) {
    const kids = index.children.get(cur.id);
    if (!kids?.length) return cur;
    cur = kids[kids.length - 1];
  }
  return undefined;
}

/** Root-to-leaf path ending at `leafId`; falls back to the newest branch when it is unknown. */
export function pathTo<T extends TreeNode>(index: TreeIndex<T>, leafId: string | null): T[] {
  let leaf = leafId ? index.byId.get(leafId) : undefined;
  if (!leaf) {
    const roots = index.children.get('') ?? [];
    if (!roots.length) return [];
    leaf = newestLeaf(index, roots[roots.length - 1].id);
  }
  const path: T[] = [];
  const seen = new Set<string>();
  for (let cur = leaf; cur && !seen.has(cur.id); cur = cur.parentId ? index.byId.get(cur.parentId) : undefined) {
    seen.add(cur.id);
    path.push(cur);
  }
  return path.reverse();
}

/** The branches a message belongs to: it and its siblings, oldest first, and its position. */
export function siblingsOf<T extends TreeNode>(index: TreeIndex<T>, id: string): { siblings: T[]; position: number } {
  const node = index.byId.get(id);
  if (!node) return { siblings: [], position: -1 };
  const key = node.parentId && index.byId.has(node.parentId) ? node.parentId : '';
  const siblings = index.children.get(key) ?? [node];
  return { siblings, position: siblings.findIndex((s) => s.id === id) };
}

/** The leaf to show after paging from `id` by `step` branches (-1 previous, +1 next). */
export function switchBranch<T extends TreeNode>(index: TreeIndex<T>, id: string, step: number): T | undefined {
  const { siblings, position } = siblingsOf(index, id);
  const target = siblings[position + step];
  return target ? newestLeaf(index, target.id) : undefined;
}
