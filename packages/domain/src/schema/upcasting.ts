/**
 * Old schema versions are upcast on read, one version at a time; stored events
 * are never rewritten. Each upcaster parses the old shape with its own schema,
 * so a malformed old event fails loudly instead of being half-converted. The
 * upcasters themselves live with their aggregate (the session's SessionHeld
 * v1→v2 in `aggregates/session/upcasters.ts`); this is the mechanism.
 */
export interface Upcaster<T extends string = string> {
  readonly type: T;
  readonly fromVersion: number;
  upcast(data: unknown): unknown;
}

export type UpcastResult = { ok: true; data: unknown } | { ok: false; message: string };

/** Brings data of `type` at `version` to the current schema version. */
export type Upcast = (type: string, version: number, data: unknown) => UpcastResult;

/** The upcast function over a set of upcasters, given each event type's current version. */
export function upcastWith(upcasters: readonly Upcaster[], currentVersionOf: (type: string) => number | undefined): Upcast {
  const steps = new Map(upcasters.map((u) => [`${u.type}@${u.fromVersion}`, u]));
  return (type, version, data) => {
    const current = currentVersionOf(type);
    if (current === undefined) return { ok: false, message: `unknown event type ${type}` };
    if (version > current) return { ok: false, message: `${type} v${version} is newer than this library knows (v${current}): upgrade taawun` };
    let value = data;
    for (let v = version; v < current; v++) {
      const step = steps.get(`${type}@${v}`);
      if (!step) return { ok: false, message: `no upcaster for ${type} v${v} to v${v + 1}` };
      try {
        value = step.upcast(value);
      } catch (cause) {
        return { ok: false, message: `${type} v${v} could not be upcast: ${(cause as Error).message}` };
      }
    }
    return { ok: true, data: value };
  };
}
