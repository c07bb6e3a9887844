import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { DirectoryModule } from '../directory/directory.module';
import { MeModule } from '../me/me.module';
import { RegistrationModule } from '../registration/registration.module';
import { SessionsModule } from '../sessions/sessions.module';

export const API_DOCS_PATH = 'auth/docs';
/** The modules of the public REST API; health and metrics routes (service-kit) stay out of the document. */
const DOCUMENTED_MODULES = [RegistrationModule, SessionsModule, MeModule, DirectoryModule];

/**
 * Documents auth's REST API on the service's own application (runService's configure hook): Swagger
 * UI at /auth/docs and the OpenAPI document at /auth/docs-json. Returns the document.
 */
export function mountApiDocs(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('chat auth')
    .setDescription(
      'Accounts and sessions of the chat platform. Every error answer is `{"error": {"code", "message"}}`; ' +
        'access tokens are HS256 JWTs for the gateway and `GET /auth/me`; refresh tokens are opaque and single use.',
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
  const document = SwaggerModule.createDocument(app, config, { include: DOCUMENTED_MODULES });
  SwaggerModule.setup(API_DOCS_PATH, app, document);
  return document;
}
