import { DossierActionDto } from '../../dto/fields';

/** Body of POST /api/dossiers/{code}/supplements. */
export class SupplySupplementDto extends DossierActionDto {}
