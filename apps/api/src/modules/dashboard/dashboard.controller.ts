import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { EVENT_TYPE_LABELS } from '@motcua/audit';
import { DOSSIER_STATUSES, NATIONAL_STATUS_CODE, STATUS_LABELS } from '@motcua/domain';
import { Public } from '../../shared/auth/decorators';
import { ReferenceDataService } from '@motcua/application';

export interface DashboardConfig {
  /** Today in Viet Nam (the default end of the period shown). */
  today: string;
  /** Status labels with their national codes (TrangThaiHoSo), from the domain: one source of truth. */
  statuses: { status: string; code: number; vi: string; en: string }[];
  eventTypes: Record<string, { vi: string; en: string }>;
}

/**
 * Public because it is what the page needs before anyone logs in: labels and the date, nothing
 * about any dossier or agency.
 */
@ApiTags('dashboard')
@Controller('dashboard')
export class DashboardController {
  constructor(private readonly ref: ReferenceDataService) {}

  @Public()
  @Get('config')
  config(): DashboardConfig {
    return {
      today: this.ref.today(),
      statuses: DOSSIER_STATUSES.map((s) => ({ status: s, code: NATIONAL_STATUS_CODE[s], ...STATUS_LABELS[s] })),
      eventTypes: { ...EVENT_TYPE_LABELS },
    };
  }
}
