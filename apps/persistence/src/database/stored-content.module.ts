import { Global, Module } from '@nestjs/common';
import { DataKeyring, dataKeyringFrom } from '@chat/database';
import { PersistenceConfig } from '../config';
import { installDataKeyring } from './stored-content';

/**
 * Builds the data keyring from the validated configuration and installs it for the row mappers
 * (stored-content.ts) as the application is created, before any consumer starts.
 */
@Global()
@Module({
  providers: [
    {
      provide: DataKeyring,
      inject: [PersistenceConfig],
      useFactory: (config: PersistenceConfig) => {
        const keyring = dataKeyringFrom(config);
        installDataKeyring(keyring);
        return keyring;
      },
    },
  ],
  exports: [DataKeyring],
})
export class StoredContentModule {}
