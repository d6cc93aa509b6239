import { DossierActionDto } from '../../dto/fields';

/** Body of POST /api/dossiers/{code}/return. */
export class ReturnResultDto extends DossierActionDto {}
