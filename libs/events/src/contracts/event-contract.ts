/**
 * The published contract of one event type: its stable wire name, JSON Schema and which
 * data fields are personal (and therefore stored encrypted with the subject's key).
 * Wire names are written here explicitly, never derived from code identifiers.
 */
export interface EventContract {
  /** Domain event type, as in the decider's union (`ContactRegistered`). */
  readonly type: string;
  /** CloudEvents `type`: `crm.<service>.<event-name>.v<version>`. */
  readonly ceType: string;
  /** `/crm/<service>` */
  readonly source: string;
  /** JSON Schema (draft 2020-12) of the event's decoded data. */
  readonly schema: Readonly<Record<string, unknown>>;
  /** Top-level data fields holding personal data. */
  readonly personalFields: readonly string[];
  /**
   * Stream category the event is appended to (`contact`). Events of a category that has a
   * Kafka topic are published there and listed in the AsyncAPI document.
   */
  readonly category?: string;
  /**
   * Whose personal data the event carries when it is not the stream's own: a stream id
   * read from the (non-personal) data, or undefined for the stream itself. The personal
   * fields are then sealed with that subject's key, so erasing that subject erases them
   * here too (a merge copies another party's values into the survivor's stream).
   */
  readonly subjectOf?: (data: Readonly<Record<string, unknown>>) => string | undefined;
}

export class ContractRegistry {
  private readonly byType = new Map<string, EventContract>();

  constructor(contracts: readonly EventContract[]) {
    for (const contract of contracts) {
      if (this.byType.has(contract.type)) throw new Error(`duplicate contract ${contract.type}`);
      this.byType.set(contract.type, contract);
    }
  }

  get(type: string): EventContract {
    const contract = this.byType.get(type);
    if (!contract) throw new Error(`no contract registered for event type ${type}`);
    return contract;
  }

  all(): EventContract[] {
    return [...this.byType.values()];
  }

  /** `dataschema` URI of a contract. */
  static schemaId(contract: EventContract): string {
    return `https://schemas.quick-sales-crm.dev/${contract.ceType}.json`;
  }
}
