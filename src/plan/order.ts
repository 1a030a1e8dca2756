/** Creation order: dependencies first, ties broken by label; and the cycles that prevent one. */

/** Kahn's algorithm, always taking the smallest ready label, so the order is deterministic. */
export function creationOrder(
  labels: readonly string[],
  deps: ReadonlyMap<string, ReadonlySet<string>>,
): string[] | null {
  const pending = new Map<string, Set<string>>();
  for (const l of labels) {
    pending.set(l, new Set([...(deps.get(l) ?? [])].filter((d) => d !== l && labels.includes(d))));
  }
  const out: string[] = [];
  while (pending.size > 0) {
    const ready = [...pending].filter(([, d]) => d.size === 0).map(([l]) => l);
    if (ready.length === 0) return null;
    const next = ready.sort()[0]!;
    out.push(next);
    pending.delete(next);
    for (const d of pending.values()) d.delete(next);
  }
  return out;
}

/**
 * The cycles among `labels`, each as a path that starts and ends at its smallest label
 * (`a → b → a`), one per strongly connected component, sorted.
 */
export function findCycles(
  labels: readonly string[],
  deps: ReadonlyMap<string, ReadonlySet<string>>,
): string[][] {
  const edges = (l: string) =>
    [...(deps.get(l) ?? [])].filter((d) => d !== l && labels.includes(d)).sort();
  // Tarjan's strongly connected components.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of edges(v)) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1) components.push(comp.sort());
    }
  };
  for (const l of [...labels].sort()) if (!index.has(l)) visit(l);

  return components
    .map((comp) => {
      // Shortest way back to the start inside the component (breadth first, sorted neighbours).
      const start = comp[0]!;
      const inComp = new Set(comp);
      const prev = new Map<string, string>();
      const queue = [start];
      let end: string | null = null;
      while (queue.length > 0 && end === null) {
        const v = queue.shift()!;
        for (const w of edges(v).filter((x) => inComp.has(x))) {
          if (w === start) {
            end = v;
            break;
          }
          if (!prev.has(w)) {
            prev.set(w, v);
            queue.push(w);
          }
        }
      }
      const path = [start];
      for (let v = end; v !== null && v !== start; v = prev.get(v) ?? null) path.splice(1, 0, v);
      path.push(start);
      return path;
    })
    .sort((a, b) => a.join().localeCompare(b.join()));
}
