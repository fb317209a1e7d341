/** How a plant file names a datapoint, ids never appearing in a file: "<plc name>/<label>". */
export const pointRef = (plc: string, label: string): string => `${plc}/${label}`;

/**
 * A datapoint's identity inside the planner: its PLC's name and its label, joined by a NUL, which
 * no name can contain (src/kernel/fields.ts refuses control characters).
 */
export type PointKey = string & { readonly __pointKey: unique symbol };

export const pointKey = (plc: string, label: string): PointKey => `${plc}\u0000${label}` as PointKey;

/** The reference a key is written as. */
export const refOfKey = (key: PointKey): string => key.replace('\u0000', '/');

export type Resolved = { key: PointKey } | { problem: string };

/**
 * The datapoints a reference may name. A name may itself contain "/", so every split of the
 * reference is tried; one that fits two ways is refused rather than guessed.
 */
export function pointDirectory() {
  const labelsByPlc = new Map<string, Set<string>>();
  return {
    add(plc: string, label: string): void {
      let labels = labelsByPlc.get(plc);
      if (!labels) labelsByPlc.set(plc, (labels = new Set()));
      labels.add(label);
    },

    resolve(ref: string): Resolved {
      const found: PointKey[] = [];
      for (let i = ref.indexOf('/'); i !== -1; i = ref.indexOf('/', i + 1)) {
        const plc = ref.slice(0, i);
        const label = ref.slice(i + 1);
        if (labelsByPlc.get(plc)?.has(label)) found.push(pointKey(plc, label));
      }
      if (found.length === 1) return { key: found[0]! };
      if (found.length === 0) return { problem: `no datapoint "${ref}" in the file or the database ("<plc name>/<label>")` };
      return { problem: `"${ref}" names ${found.length} datapoints (names with "/" in them); rename one` };
    },
  };
}

export type PointDirectory = ReturnType<typeof pointDirectory>;
