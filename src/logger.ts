import winston from 'winston';

export type Logger = winston.Logger;

/** One JSON object per line on stdout; LOG_LEVEL=silent turns it off (tests). */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return winston.createLogger({
    level: level === 'silent' ? 'error' : level,
    silent: level === 'silent',
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    defaultMeta: { service: 'ipcd' },
    transports: [new winston.transports.Console()],
  });
}
