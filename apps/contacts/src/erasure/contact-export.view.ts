import { ApiProperty } from '@nestjs/swagger';
import { ContactView } from '../contacts/contact.view';

export class MergeParticipationView {
  @ApiProperty({ format: 'uuid' }) mergeId!: string;
  @ApiProperty({
    enum: ['survivor', 'absorbed'],
    description: 'survivor: this party absorbed others; absorbed: it was merged into another',
  })
  role!: 'survivor' | 'absorbed';
  @ApiProperty({
    type: [String],
    description: 'the parties absorbed (role survivor) or the survivor (role absorbed)',
  })
  otherIds!: string[];
  @ApiProperty({ format: 'date-time' }) recordedAt!: string;
  @ApiProperty() undone!: boolean;
}

export class ReadModelDocumentView {
  @ApiProperty({ example: 'contact_list_v2' }) readModel!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) document!: unknown;
}

/** Everything the service holds about one party (right of access, GDPR art. 15). */
export class ContactExportView {
  @ApiProperty({ format: 'uuid' }) contactId!: string;
  @ApiProperty({ format: 'date-time' }) exportedAt!: string;
  @ApiProperty({ description: 'personal data erased: only non-personal facts remain' })
  erased!: boolean;
  @ApiProperty({ type: ContactView, description: 'the party as it is now' })
  contact!: ContactView;
  @ApiProperty({
    description: 'every event of the party, decoded, as CloudEvents 1.0 (structured)',
    type: 'array',
    items: { type: 'object' },
  })
  history!: unknown[];
  @ApiProperty({ type: [MergeParticipationView], description: 'merges it took part in' })
  merges!: MergeParticipationView[];
  @ApiProperty({
    type: [ReadModelDocumentView],
    description: 'its document in each read model that keeps one per party',
  })
  readModels!: ReadModelDocumentView[];
}
