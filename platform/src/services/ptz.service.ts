import { Inject, Injectable } from '@nestjs/common';
import type { Bus } from '@tessera/contracts';
import { TesseraError, TimeoutError } from '@tessera/kit';
import { requireRole } from '../access';
import { type AuthContext, coversCivilCode } from '../auth/auth-context';
import type { PtzBody, PtzResponse } from '@tessera/contracts/api';
import { ConflictError, ForbiddenError, NotFoundError, UpstreamError, UpstreamTimeoutError } from '../errors';
import { ChannelRepository } from '../repositories/channel.repository';
import { BUS } from '../tokens';

/** Fixed cameras (PTZType 3) cannot move; unknown (null) may, as many devices do not report it. */
const FIXED_CAMERA = 3;

@Injectable()
export class PtzService {
  constructor(
    @Inject(ChannelRepository) private readonly channels: ChannelRepository,
    @Inject(BUS) private readonly bus: Bus,
  ) {}

  async control(auth: AuthContext, channelId: string, command: PtzBody): Promise<PtzResponse> {
    requireRole(auth, 'admin', 'operator');
    const channel = await this.channels.get(channelId);
    if (!channel) throw new NotFoundError('channel', channelId);
    if (!coversCivilCode(auth.jurisdiction, channel.civil_code)) {
      throw new ForbiddenError(`channel ${channelId} is outside ${auth.username}'s jurisdiction`);
    }
    if (channel.ptz_type === FIXED_CAMERA)
      throw new ConflictError(`channel ${channelId} is a fixed camera (no PTZ)`);
    if (channel.status !== 'online') throw new ConflictError(`channel ${channelId} is offline`);
    try {
      return await this.bus.request(
        'gateway.ptz',
        { deviceId: channel.device_id, channelId, command },
        { timeoutMs: 5_000 },
      );
    } catch (error) {
      if (error instanceof TimeoutError) {
        throw new UpstreamTimeoutError(`PTZ to ${channelId} got no answer in time`, { cause: error });
      }
      const reason = error instanceof TesseraError ? `${error.code}: ${error.message}` : String(error);
      throw new UpstreamError(`PTZ to ${channelId} failed (${reason})`, { cause: error });
    }
  }
}
