import { ApiProperty } from '@nestjs/swagger';
import { ContactView } from '../contacts/contact.view';

export class MergeResultView {
  @ApiProperty({
    format: 'uuid',
    description: 'undo it with POST /contacts/{survivorId}/merges/{mergeId}/undo',
  })
  mergeId!: string;
  @ApiProperty({ type: [String], description: 'now redirect to the survivor (mergedInto)' })
  absorbedIds!: string[];
  @ApiProperty({ type: ContactView, description: 'the survivor after the merge' })
  survivor!: ContactView;
}

export class MergePreviewView {
  @ApiProperty({ enum: [true] }) dryRun!: true;
  @ApiProperty({ type: [String], description: 'would redirect to the survivor' })
  absorbedIds!: string[];
  @ApiProperty({
    type: ContactView,
    description: 'the survivor as it would be after the merge; nothing was written',
  })
  survivor!: ContactView;
}

export class UndoResultView {
  @ApiProperty({ format: 'uuid' }) mergeId!: string;
  @ApiProperty({ type: [String], description: 'absorbed parties restored as they were' })
  restoredIds!: string[];
  @ApiProperty({ type: ContactView, description: 'the survivor after the undo' })
  survivor!: ContactView;
}
