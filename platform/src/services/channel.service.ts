import { Inject, Injectable } from '@nestjs/common';
import type { AuthContext } from '../auth/auth-context';
import type { ChannelQuery, ChannelSummary } from '@tessera/contracts/api';
import { ChannelRepository } from '../repositories/channel.repository';
import { toChannelSummary } from './mappers';

@Injectable()
export class ChannelService {
  constructor(@Inject(ChannelRepository) private readonly channels: ChannelRepository) {}

  /** Every role may list; the jurisdiction is applied in the query (filters narrow it, never widen it). */
  async list(auth: AuthContext, query: ChannelQuery): Promise<ChannelSummary[]> {
    return (await this.channels.list(query, auth.jurisdiction)).map(toChannelSummary);
  }
}
