/** CDK entry point (cdk.json "app"): the App synthesizes itself when the CLI runs it. */
import { buildApp } from '../lib/app.js';

buildApp();
