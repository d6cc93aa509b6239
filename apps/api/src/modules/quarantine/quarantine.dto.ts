/**
 * The query string of GET /api/admin/quarantine, validated by the global pipe like a body (an unknown
 * parameter is a 400 naming it), and the shapes of its answer for the OpenAPI document.
 */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';

export class QuarantineQueryDto {
  @ApiPropertyOptional({ description: 'Only what this consumer set aside', example: 'sla_v3' })
  @IsOptional()
  @Matches(/^[a-z0-9_-]{1,64}$/, { message: 'consumer must be a consumer name (lower-case letters, digits, _ and -)' })
  consumer?: string;

  @ApiPropertyOptional({ description: 'Page size, 1-500 (default 100)', example: '100' })
  @IsOptional()
  @Matches(/^([1-9]\d?|[1-4]\d\d|500)$/, { message: 'limit must be a whole number from 1 to 500' })
  limit?: string;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  cursor?: string;
}

export class QuarantinedEventView {
  @ApiProperty({ description: 'Who could not process it', enum: ['sla_v3', 'alerts_v1', 'alert-schedule', 'deadline-process'], example: 'sla_v3' })
  consumer!: string;
  @ApiProperty({ example: 'dossier-000.00.00.H30-250124-0001' })
  streamId!: string;
  @ApiProperty({ description: 'Revision in the stream (-1: a read-model row whose event was not found)', example: 0 })
  revision!: number;
  @ApiProperty({ description: "Global log position ('' when not known)", example: '1042' })
  position!: string;
  @ApiProperty({ example: 'dossier.received.v1' })
  eventType!: string;
  @ApiProperty({ description: 'The error the consumer met', example: 'dueAt is not an instant the read models can hold ("+010000-01-07T00:00:00.000Z")' })
  reason!: string;
  @ApiProperty({ description: 'When it was first set aside (a repeat keeps it)', example: '2026-12-04T03:27:23.770Z' })
  firstSeenAt!: string;
}

export class QuarantinePageView {
  @ApiProperty({ type: [QuarantinedEventView], description: 'In log order' })
  items!: QuarantinedEventView[];
  @ApiProperty({ type: String, nullable: true, description: 'Cursor of the next page; null on the last' })
  nextCursor!: string | null;
  @ApiProperty({ description: 'Rows per consumer (all pages)', example: { sla_v3: 2, alerts_v1: 1 } })
  counts!: Record<string, number>;
  @ApiProperty({ description: 'Rows in all (all pages, all consumers)', example: 3 })
  total!: number;
}
