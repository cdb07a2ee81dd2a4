import { createWorker } from 'jwtward/worker';
import policy from '../policy.json';
export default createWorker(policy);
