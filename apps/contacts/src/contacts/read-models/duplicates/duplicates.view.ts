import { ApiProperty } from '@nestjs/swagger';
import { DUPLICATE_REASONS, type DuplicateReason } from './duplicate-match';

export class DuplicateCandidateView {
  @ApiProperty({ format: 'uuid', description: 'a party that looks like the same one' })
  id!: string;
  @ApiProperty({ minimum: 0, maximum: 1, example: 0.96, description: 'how likely it is the same' })
  score!: number;
  @ApiProperty({ enum: DUPLICATE_REASONS, isArray: true, example: ['same-email', 'similar-name'] })
  reasons!: DuplicateReason[];
}

export class DuplicateCandidatesView {
  @ApiProperty({ type: [DuplicateCandidateView], description: 'most likely first, at most 20' })
  items!: DuplicateCandidateView[];
}

export class DuplicatePairView {
  @ApiProperty({ format: 'uuid' }) partyId!: string;
  @ApiProperty({ format: 'uuid', description: 'always after partyId in id order' })
  duplicateId!: string;
  @ApiProperty({ minimum: 0, maximum: 1, example: 0.9 }) score!: number;
  @ApiProperty({ enum: DUPLICATE_REASONS, isArray: true }) reasons!: DuplicateReason[];
}

export class DuplicatePairPageView {
  @ApiProperty({
    type: [DuplicatePairView],
    description: 'may hold fewer pairs than the limit, or none, while nextCursor is set',
  })
  items!: DuplicatePairView[];
  @ApiProperty({ type: String, nullable: true, description: 'null once every party was examined' })
  nextCursor!: string | null;
}
