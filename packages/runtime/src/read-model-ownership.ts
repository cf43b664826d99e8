import type { ReadModelStorage } from '@taawun/projections';

/**
 * Who builds each read model when several servers share one store's read models
 * (PostgreSQL: a lease per read model, fenced by epoch). A backend that offers
 * it makes the followers of every server take turns: a read model is built by
 * the one server holding it, and taken over when that server stops renewing.
 */
export interface ReadModelOwnership {
  /** This server, as the ownership names it. */
  readonly node: string;
  /** Wait until this server holds `name` (undefined when `signal` aborts first). */
  hold(name: string, options: { readonly leaseMs?: number; readonly signal?: AbortSignal; readonly log?: (message: string) => void }): Promise<HeldReadModel | undefined>;
}

/** A read model this server builds, for as long as `lost` is not aborted. */
export interface HeldReadModel {
  readonly epoch: number;
  /** Build with this storage: its writes are refused once the hold is lost (fencing). */
  readonly storage: ReadModelStorage;
  readonly lost: AbortSignal;
  /** Let another server take it over at once. */
  release(): Promise<void>;
}
