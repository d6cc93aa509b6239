import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Equals, IsISO8601, IsInt, IsNumberString, IsString, Matches, MaxLength, Min } from 'class-validator';
import { SEAL_FORMAT, type StoreSeal } from '@motcua/audit';
import { CurrentUser, Roles } from '../../../../shared/auth/decorators';
import type { AuthUser } from '@motcua/platform';
import { AuditService } from '../../audit.service';

/** A seal as `GET /api/audit/seal` gave it (libs/audit/src/seal.ts). */
export class SealBody implements StoreSeal {
  @ApiProperty({ enum: [SEAL_FORMAT] })
  @Equals(SEAL_FORMAT)
  format!: typeof SEAL_FORMAT;

  @ApiProperty({ description: 'Global position covered (every event at or before it)', example: '3346919' })
  @IsNumberString({ no_symbols: true })
  @MaxLength(40)
  position!: string;

  @ApiProperty()
  @IsInt()
  @Min(0)
  events!: number;

  @ApiProperty()
  @IsInt()
  @Min(0)
  streams!: number;

  @ApiProperty({ description: 'SHA-256 (hex) of the stream heads at the position' })
  @IsString()
  @Matches(/^[0-9a-f]{64}$/, { message: 'digest must be 64 lowercase hex digits' })
  digest!: string;

  @ApiProperty({ example: '2026-11-27T10:00:00.000Z' })
  @IsISO8601({ strict: true })
  sealedAt!: string;
}

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit/seal')
export class SealController {
  constructor(private readonly audit: AuditService) {}

  /**
   * A seal of the log up to its head now (events, streams and one digest of every stream's head),
   * to keep outside the database: a later check finds any event at or before that position added,
   * removed or rewritten, including the last events of a stream, which the hash chains cannot show.
   * 409 BROKEN_HASH_CHAINS when a chain is already broken (a seal would vouch for altered events).
   */
  @Get()
  @Roles('auditor', 'admin')
  async seal(@CurrentUser() user: AuthUser) {
    await this.audit.record(user, { action: 'seal', details: { check: false } });
    return this.audit.seal();
  }

  /** Checks the log against a seal made earlier: `ok`, what was found, and each difference in words. */
  @Post('check')
  @HttpCode(200)
  @Roles('auditor', 'admin')
  async check(@Body() seal: SealBody, @CurrentUser() user: AuthUser) {
    await this.audit.record(user, { action: 'seal', details: { check: true, position: seal.position, digest: seal.digest } });
    return this.audit.checkSeal(seal);
  }
}
