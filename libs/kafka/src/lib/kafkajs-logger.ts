import { Logger } from '@nestjs/common';
import { logLevel, type logCreator } from 'kafkajs';

/** kafkajs logs through Nest's logger (and so through pino as JSON), at warn and above. */
export const kafkajsLogCreator: logCreator = () => {
  const logger = new Logger('kafkajs');
  return ({ level, log }) => {
    const { message, ...fields } = log;
    if (level === logLevel.ERROR) logger.error({ msg: message, ...fields });
    else if (level === logLevel.WARN) logger.warn({ msg: message, ...fields });
    else if (level === logLevel.INFO) logger.debug({ msg: message, ...fields });
  };
};
