/** Everything a test started, stopped in reverse order afterwards (also when it failed). */
export class Running {
  private readonly stops: (() => Promise<void>)[] = [];

  add<T extends { stop(): Promise<void> } | { close(): Promise<void> }>(thing: T): T {
    this.stops.push(() => ('stop' in thing ? thing.stop() : thing.close()));
    return thing;
  }

  async stopAll(): Promise<void> {
    for (const stop of this.stops.splice(0).reverse()) await stop();
  }
}
