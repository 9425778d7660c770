export { startSpake2, type Spake2Options, type Spake2Result, type Spake2Role, type Spake2Session } from './session.js';
export { passwordToScalar, passwordToScalarAsync, PASSWORD_MHF } from './password.js';
export { systemRandom, type RandomSource } from './random.js';
export { Spake2InvalidMessageError, Spake2ParameterError, Spake2StateError, RandomSourceError } from './errors.js';
