import { ApiProperty } from '@nestjs/swagger';

export class MeDto {
  @ApiProperty({ format: 'uuid' })
  userId!: string;

  @ApiProperty({ example: 'ann.lee' })
  username!: string;
}
