import { ProjectionError } from './errors.js';
import type { CommitChange, GenerationInfo, ReadModelStorage, StoredGeneration } from './storage.js';

/**
 * Read models in memory: for tests, and for embedding where a rebuild at start-up
 * is cheap. Holds states as JSON text like the durable storages, so a state that
 * would not survive them fails here too.
 */
export class InMemoryReadModelStorage implements ReadModelStorage {
  private readonly models = new Map<string, Map<number, StoredGeneration>>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  async generations(name: string): Promise<GenerationInfo[]> {
    return [...(this.models.get(name)?.values() ?? [])].map((g) => g.info).sort((a, b) => a.generation - b.generation);
  }

  async create(name: string, version: number, initialState: string): Promise<GenerationInfo> {
    const generations = this.models.get(name) ?? new Map<number, StoredGeneration>();
    this.models.set(name, generations);
    const generation = Math.max(0, ...generations.keys()) + 1;
    const info: GenerationInfo = { name, generation, version, status: 'building', position: undefined, eventsApplied: 0, updatedAt: this.now().toISOString() };
    generations.set(generation, { info, state: initialState });
    return info;
  }

  async load(name: string, generation: number): Promise<StoredGeneration | undefined> {
    return this.models.get(name)?.get(generation);
  }

  async commit(name: string, generation: number, change: CommitChange): Promise<GenerationInfo> {
    const stored = this.models.get(name)?.get(generation);
    if (!stored) throw new ProjectionError('generation-missing', `read model ${name}: generation ${generation} no longer exists (another runner replaced it)`);
    if (stored.info.position !== change.expectedPosition) {
      throw new ProjectionError(
        'concurrent-runner',
        `read model ${name} generation ${generation}: the checkpoint is ${String(stored.info.position)}, not ${String(change.expectedPosition)}; another runner wrote first`,
      );
    }
    const info: GenerationInfo = { ...stored.info, position: change.position, eventsApplied: change.eventsApplied, updatedAt: this.now().toISOString() };
    this.models.get(name)!.set(generation, { info, state: change.state });
    return info;
  }

  async activate(name: string, generation: number): Promise<void> {
    const stored = this.models.get(name)?.get(generation);
    if (!stored) throw new ProjectionError('generation-missing', `read model ${name}: generation ${generation} does not exist`);
    this.models.set(name, new Map([[generation, { ...stored, info: { ...stored.info, status: 'active', updatedAt: this.now().toISOString() } }]]));
  }

  async drop(name: string, generation: number): Promise<void> {
    this.models.get(name)?.delete(generation);
  }
}
