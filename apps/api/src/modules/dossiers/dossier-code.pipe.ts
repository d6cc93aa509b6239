import { Injectable, PipeTransform } from '@nestjs/common';
import { isValidDossierCode } from '@motcua/domain';
import { ApiError } from '@motcua/platform';

/** `:code` in dossier routes: the domain's code rule, else 400 naming the `code` parameter. */
@Injectable()
export class DossierCodePipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    if (!isValidDossierCode(value)) {
      throw ApiError.validation([{ field: 'code', message: 'code must be 1-64 printable characters without whitespace' }]);
    }
    return value;
  }
}
