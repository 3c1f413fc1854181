import { ApiProperty } from '@nestjs/swagger';
import { MAX_LABEL_LENGTH, MAX_NOTE_LENGTH } from '@rapport/domain';
import { IsOptional, IsString, MaxLength, ValidateBy } from 'class-validator';

/** `POST /v1/customers/:id/notes`: an internal note (never sent to the customer). */
export class AddNoteDto {
  @ApiProperty({
    description: `the note, 1–${MAX_NOTE_LENGTH} characters (trimmed; no control characters but line breaks and tabs)`,
    example: 'Promised a call back on Monday about the late parcel.',
  })
  @IsString()
  // Generous here (line endings count twice before they are normalised); the domain's rule decides.
  @MaxLength(MAX_NOTE_LENGTH * 2)
  text!: string;
}

/** `POST /v1/customers/:id/labels`: a label to put on the customer. */
export class AddLabelDto {
  @ApiProperty({
    description: `a label: letters a–z, digits and inner "-", "_", ".", ":"; at most ${MAX_LABEL_LENGTH} characters; case and surrounding spaces do not matter`,
    example: 'vip',
  })
  @IsString()
  @MaxLength(MAX_LABEL_LENGTH * 4)
  label!: string;
}

const isWholeNumberIn = (min: number, max: number) =>
  ValidateBy({
    name: 'isWholeNumberIn',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' &&
        /^\d{1,16}$/.test(value) &&
        Number(value) >= min &&
        Number(value) <= max,
      defaultMessage: () => `must be a whole number from ${min} to ${max}`,
    },
  });

/** `GET /v1/customers/:id/notes?limit=&before=` */
export class NotesQueryDto {
  @IsOptional()
  @isWholeNumberIn(1, 200)
  limit?: string;

  @IsOptional()
  @isWholeNumberIn(1, Number.MAX_SAFE_INTEGER)
  before?: string;
}

/** `GET /v1/labels/:label/customers?limit=` */
export class LabelledQueryDto {
  @IsOptional()
  @isWholeNumberIn(1, 1000)
  limit?: string;
}
