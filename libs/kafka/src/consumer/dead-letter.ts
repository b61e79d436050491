import type { BusMessage, Delivery } from '../bus.port';
import { headerText, type RawHeaders } from '../cloud-event-binary';
import { deadLetterTopic } from '../topics';

export interface DeadLetterReason {
  readonly error: unknown;
  /** Handler attempts made; 0 when the message could not even be read. */
  readonly attempts: number;
  readonly group: string;
}

/** Longest error text kept in a header: enough for a message and the top of a stack. */
const MAX_ERROR_LENGTH = 2000;

/**
 * The dead-letter copy of a message: same key, value and headers, plus why and where it
 * failed, so it can be inspected and replayed to its original topic later.
 */
export function deadLetterOf(
  delivery: Delivery,
  headers: RawHeaders,
  value: Buffer | null,
  reason: DeadLetterReason,
): BusMessage {
  const text = headerText(headers);
  const copied: Record<string, string> = {};
  for (const name of Object.keys(headers)) {
    const found = text(name);
    if (found !== undefined && !name.startsWith('dlq_')) copied[name] = found;
  }
  return {
    topic: deadLetterTopic(delivery.topic),
    key: delivery.key ?? '',
    value: value ?? '',
    headers: {
      ...copied,
      dlq_error: describeError(reason.error).slice(0, MAX_ERROR_LENGTH),
      dlq_attempts: String(reason.attempts),
      dlq_original_topic: delivery.topic,
      dlq_original_partition: String(delivery.partition),
      dlq_original_offset: delivery.offset,
      dlq_consumer_group: reason.group,
      dlq_failed_at: new Date().toISOString(),
    },
  };
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
