import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ContactHistory } from '../contacts/contact-history';
import { contactIdPipe } from '../contacts/contacts.controller';
import { DuplicatesQuery } from '../contacts/read-models/duplicates/duplicates.query';
import {
  DuplicateCandidatesView,
  DuplicatePairPageView,
} from '../contacts/read-models/duplicates/duplicates.view';
import { DuplicatePairsQueryDto } from './merges.dto';

/** Candidates to merge, from the duplicates read model (eventually consistent). */
@ApiTags('merges')
@ApiBearerAuth()
@Controller()
export class DuplicatesController {
  constructor(
    private readonly history: ContactHistory,
    private readonly duplicates: DuplicatesQuery,
  ) {}

  @Get('contacts/:id/duplicates')
  @ApiOkResponse({
    type: DuplicateCandidatesView,
    description: 'parties that look like this one; none while it is archived, merged or erased',
  })
  async forParty(@Param('id', contactIdPipe) id: string): Promise<DuplicateCandidatesView> {
    const party = await this.history.party(id);
    return { items: await this.duplicates.forParty(party) };
  }

  @Get('duplicates')
  @ApiOkResponse({ type: DuplicatePairPageView, description: 'candidate pairs over all parties' })
  pairs(@Query() query: DuplicatePairsQueryDto): Promise<DuplicatePairPageView> {
    return this.duplicates.pairs(query.limit ?? 20, query.cursor);
  }
}
