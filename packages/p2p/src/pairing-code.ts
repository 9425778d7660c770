/**
 * Pairing codes: a number from 1 to 9 and three words, e.g. `4-orbit-lemon-violet`, shown on
 * one device and typed on the other, then used only as the SPAKE2 password (pairingPassword).
 *
 * Entropy: 9 × 1024³ = 9,663,676,416 codes, log2 ≈ 33.2 bits (3.17 for the number, 10 for each
 * word). That is small for a password but enough here: SPAKE2 gives an eavesdropper nothing to
 * test guesses against (no offline guessing), and an active attacker exactly one guess per
 * exchange, so with the caller's attempt limit (k failed exchanges per code, within the code's
 * 5-minute validity) the chance that a guess succeeds is at most k / 9,663,676,416.
 */
import { SynclineError } from '@syncline/core';
import { systemRandom, uniformInt, type RandomSource } from './spake2/random.js';

/** How long a shown code stays valid; enforcing it is the caller's job. */
export const PAIRING_CODE_TTL_MS = 5 * 60 * 1000;

/**
 * The word list: 1,024 short (3–6 letters), common, lower-case English words — animals, food,
 * colors, nature, everyday things, friendly verbs and adjectives. Our own selection, made for
 * this purpose: no offensive or violent words, no plurals, and no homophones or spelling
 * variants (flour/flower, gray/grey), so a code read aloud is typed the same way. Sorted.
 * Both devices need the same list: a word one side lacks is refused as a misspelling.
 */
export const PAIRING_WORDS: readonly string[] = Object.freeze([
  'abacus', 'able', 'acorn', 'active', 'actor', 'agent', 'agile', 'alarm', 'album', 'alert', 'alley', 'alpaca', 'alpha', 'amber', 'anchor', 'angle',
  'ankle', 'ant', 'anthem', 'apple', 'apron', 'arcade', 'arch', 'arena', 'arrow', 'art', 'artist', 'aspen', 'atlas', 'atom', 'attic', 'aurora',
  'autumn', 'avenue', 'award', 'bacon', 'badge', 'badger', 'bag', 'bagel', 'bake', 'ball', 'bamboo', 'banana', 'band', 'banjo', 'banner', 'barge',
  'barn', 'barrel', 'basil', 'basket', 'bat', 'bay', 'beach', 'beacon', 'beagle', 'bean', 'bear', 'beard', 'bee', 'beet', 'beetle', 'bell',
  'belt', 'bench', 'berry', 'bike', 'bingo', 'birch', 'bird', 'bison', 'black', 'blaze', 'blimp', 'blink', 'bloom', 'blue', 'boat', 'bobcat',
  'bold', 'bolt', 'bonnet', 'bonus', 'book', 'boost', 'boot', 'bottle', 'bounce', 'bounty', 'bowl', 'box', 'boxer', 'brain', 'branch', 'brave',
  'bravo', 'bread', 'breeze', 'brick', 'bridge', 'bright', 'brisk', 'bronze', 'brook', 'broom', 'broth', 'brown', 'brush', 'bubbly', 'bucket', 'buckle',
  'buddy', 'bug', 'bugle', 'build', 'bulb', 'bull', 'bun', 'bundle', 'bunny', 'burrow', 'bus', 'bush', 'busy', 'butler', 'butter', 'button',
  'cabin', 'cable', 'cactus', 'cafe', 'cake', 'calf', 'calm', 'camel', 'camera', 'camp', 'campus', 'canal', 'candle', 'candy', 'canoe', 'canopy',
  'canvas', 'canyon', 'cap', 'carbon', 'card', 'cargo', 'carol', 'carpet', 'carrot', 'carry', 'cart', 'carton', 'cashew', 'castle', 'cat', 'cave',
  'cavern', 'cedar', 'celery', 'cello', 'cereal', 'chain', 'chair', 'chalk', 'champ', 'chant', 'charm', 'chase', 'cheer', 'cheese', 'chef', 'cherry',
  'chess', 'chest', 'chick', 'chilly', 'chime', 'chisel', 'chorus', 'cider', 'cinema', 'circle', 'circus', 'citrus', 'city', 'clam', 'clap', 'clay',
  'clean', 'clever', 'cliff', 'climb', 'clock', 'cloud', 'clover', 'clown', 'coast', 'coat', 'cobalt', 'cobra', 'cocoa', 'coffee', 'coin', 'collie',
  'colt', 'comb', 'comet', 'cook', 'cookie', 'cool', 'copper', 'coral', 'corn', 'cosmos', 'cotton', 'court', 'cove', 'cow', 'cowboy', 'coyote',
  'crab', 'crane', 'crate', 'crater', 'crawl', 'crayon', 'cream', 'creek', 'crest', 'crisp', 'crow', 'crown', 'crumb', 'cub', 'cube', 'cuddly',
  'cup', 'curly', 'curry', 'cute', 'cycle', 'dairy', 'daisy', 'dance', 'daring', 'dash', 'date', 'dawn', 'deer', 'delta', 'denim', 'desert',
  'desk', 'dew', 'dial', 'diary', 'dig', 'dinner', 'dish', 'dive', 'dock', 'dog', 'domain', 'domino', 'donkey', 'doodle', 'door', 'dough',
  'dove', 'dragon', 'drama', 'draw', 'dream', 'dress', 'drift', 'drive', 'drum', 'duck', 'dune', 'dusk', 'dynamo', 'eager', 'eagle', 'early',
  'earth', 'easy', 'echo', 'eel', 'egg', 'elbow', 'elf', 'elk', 'elm', 'ember', 'empire', 'engine', 'enigma', 'epic', 'fable', 'fabric',
  'fair', 'falcon', 'fan', 'fancy', 'farm', 'fast', 'fawn', 'feast', 'fence', 'fern', 'ferry', 'fetch', 'fiddle', 'field', 'fiesta', 'fig',
  'finch', 'fish', 'flag', 'flame', 'flask', 'float', 'flower', 'fluffy', 'flute', 'fly', 'foal', 'fog', 'fold', 'fond', 'forest', 'fork',
  'fort', 'fossil', 'fox', 'frame', 'free', 'fresh', 'frog', 'frost', 'fudge', 'funny', 'fuzzy', 'gadget', 'galaxy', 'gallop', 'garage', 'garden',
  'garlic', 'garnet', 'gate', 'gather', 'gazebo', 'gear', 'gecko', 'gem', 'genie', 'gentle', 'gerbil', 'giant', 'gift', 'giggle', 'ginger', 'glad',
  'glade', 'glass', 'glide', 'globe', 'glove', 'glow', 'goat', 'gold', 'good', 'goose', 'gopher', 'grand', 'grape', 'grass', 'gravel', 'gravy',
  'green', 'grid', 'grin', 'grove', 'grow', 'guitar', 'gull', 'hail', 'hall', 'ham', 'hammer', 'happy', 'hare', 'harp', 'hat', 'hatch',
  'haven', 'hawk', 'hearty', 'helmet', 'hen', 'hermit', 'hero', 'heron', 'hike', 'hill', 'hippo', 'hobby', 'hockey', 'hollow', 'honest', 'honey',
  'hook', 'hop', 'horn', 'hornet', 'horse', 'hotel', 'hound', 'hug', 'humble', 'hut', 'ice', 'icon', 'icy', 'idea', 'ideal', 'igloo',
  'iguana', 'indigo', 'insect', 'iris', 'island', 'ivory', 'ivy', 'jacket', 'jade', 'jaguar', 'jam', 'jar', 'jay', 'jazz', 'jelly', 'jersey',
  'jester', 'jet', 'jewel', 'jigsaw', 'jockey', 'jog', 'joke', 'jolly', 'joyful', 'judge', 'juggle', 'juice', 'jump', 'jungle', 'kale', 'karate',
  'kayak', 'kazoo', 'keen', 'kettle', 'key', 'kick', 'kind', 'kite', 'kitten', 'kiwi', 'knight', 'knit', 'knot', 'koala', 'ladder', 'lagoon',
  'lake', 'lamb', 'lamp', 'large', 'lark', 'lasso', 'laugh', 'lava', 'leaf', 'leap', 'legend', 'lemon', 'lemur', 'lens', 'lentil', 'level',
  'lid', 'lift', 'lilac', 'lily', 'lime', 'limit', 'lion', 'listen', 'lively', 'lizard', 'llama', 'lobby', 'lock', 'locket', 'lodge', 'logic',
  'lotus', 'lucky', 'lumber', 'lunar', 'magic', 'magnet', 'magpie', 'mallet', 'mango', 'map', 'maple', 'marble', 'march', 'marina', 'market', 'maroon',
  'marsh', 'marvel', 'mascot', 'mask', 'matrix', 'maze', 'meadow', 'medal', 'medley', 'melody', 'melon', 'memo', 'mentor', 'merry', 'meteor', 'metro',
  'mighty', 'mild', 'milk', 'mill', 'minnow', 'mint', 'mirror', 'mist', 'mitten', 'mix', 'mocha', 'modern', 'moon', 'moose', 'mop', 'mosaic',
  'moss', 'moth', 'motor', 'motto', 'mouse', 'mud', 'muffin', 'mug', 'museum', 'music', 'myth', 'nacho', 'nail', 'nap', 'napkin', 'nation',
  'navy', 'neat', 'nebula', 'nectar', 'needle', 'net', 'nice', 'nickel', 'nimble', 'ninja', 'noble', 'noodle', 'novel', 'nugget', 'nutmeg', 'oak',
  'oar', 'oasis', 'oat', 'ocean', 'office', 'olive', 'onion', 'opera', 'oracle', 'orange', 'orbit', 'orca', 'orchid', 'origin', 'otter', 'oven',
  'owl', 'oxygen', 'oyster', 'paddle', 'paint', 'palace', 'palm', 'pan', 'panda', 'papaya', 'paper', 'parade', 'parcel', 'park', 'parka', 'parrot',
  'pasta', 'pastel', 'pastry', 'patio', 'patrol', 'peach', 'peanut', 'pear', 'pearl', 'pebble', 'pecan', 'pen', 'pencil', 'pepper', 'petal', 'phone',
  'piano', 'pickle', 'picnic', 'pie', 'pig', 'pigeon', 'pillow', 'pilot', 'pin', 'pine', 'pink', 'pipe', 'pixel', 'pixie', 'pizza', 'planet',
  'plant', 'plate', 'play', 'plaza', 'plum', 'pocket', 'poem', 'poet', 'polite', 'pollen', 'pond', 'pony', 'poodle', 'poppy', 'porch', 'portal',
  'possum', 'pot', 'potato', 'potion', 'pouch', 'pounce', 'prince', 'prism', 'proud', 'puddle', 'puffin', 'pump', 'puppy', 'purple', 'puzzle', 'python',
  'quail', 'quartz', 'quest', 'quick', 'quiet', 'quilt', 'quiz', 'rabbit', 'race', 'radar', 'radio', 'radish', 'raft', 'rain', 'raisin', 'rake',
  'rally', 'ranch', 'ranger', 'rapid', 'raven', 'read', 'ready', 'recipe', 'red', 'reef', 'relax', 'resort', 'rhino', 'ribbon', 'rice', 'riddle',
  'ride', 'ridge', 'ring', 'ripple', 'river', 'roam', 'robe', 'robin', 'robot', 'rock', 'rocket', 'rodeo', 'roll', 'root', 'rope', 'rose',
  'rover', 'royal', 'ruby', 'rug', 'ruler', 'run', 'runway', 'rust', 'rustic', 'saddle', 'safari', 'safe', 'saga', 'sage', 'sail', 'salad',
  'salmon', 'salsa', 'salt', 'sand', 'sandal', 'sauce', 'saucer', 'scarf', 'school', 'scone', 'scout', 'scroll', 'sea', 'seal', 'season', 'secret',
  'seed', 'shade', 'shadow', 'shark', 'shed', 'sheep', 'shelf', 'shell', 'shield', 'shiny', 'ship', 'shirt', 'shoe', 'shop', 'shore', 'shovel',
  'shrimp', 'sign', 'signal', 'silk', 'silly', 'silver', 'simple', 'sing', 'skate', 'sketch', 'skip', 'skunk', 'sky', 'slate', 'sled', 'sleek',
  'sleep', 'slide', 'slim', 'slope', 'sloth', 'smart', 'smile', 'smooth', 'snail', 'snake', 'sneeze', 'snore', 'snow', 'snug', 'soap', 'soar',
  'sock', 'sofa', 'soft', 'soil', 'solar', 'solid', 'sonnet', 'sorbet', 'soup', 'spark', 'speedy', 'sphere', 'spice', 'spider', 'spin', 'spiral',
  'splash', 'sponge', 'spoon', 'sport', 'spring', 'sprint', 'sprout', 'spruce', 'squash', 'squid', 'stable', 'stage', 'stamp', 'star', 'statue', 'steady',
  'stew', 'stir', 'stone', 'stool', 'stork', 'storm', 'story', 'stove', 'stream', 'string', 'stroll', 'studio', 'sturdy', 'sugar', 'summit', 'sun',
  'sunset', 'super', 'surf', 'sushi', 'swamp', 'swan', 'sweet', 'swift', 'swim', 'swing', 'symbol', 'syrup', 'table', 'tablet', 'taco', 'tall',
  'tan', 'tandem', 'tango', 'tap', 'target', 'tavern', 'taxi', 'tea', 'teacup', 'teal', 'teapot', 'temple', 'tempo', 'tender', 'tent', 'theory',
  'think', 'thorn', 'thread', 'throw', 'thyme', 'ticket', 'tickle', 'tide', 'tidy', 'tiger', 'tile', 'timber', 'tiny', 'tiptoe', 'toad', 'toast',
  'toffee', 'tofu', 'token', 'tomato', 'tool', 'topaz', 'topic', 'torch', 'toss', 'toucan', 'tough', 'towel', 'tower', 'town', 'toy', 'trail',
  'train', 'travel', 'tray', 'tree', 'tripod', 'trophy', 'tropic', 'trout', 'truck', 'trusty', 'tub', 'tuba', 'tube', 'tulip', 'tuna', 'tundra',
  'tune', 'tunnel', 'turbo', 'turkey', 'turnip', 'turtle', 'tutor', 'tuxedo', 'twig', 'twirl', 'twist', 'tycoon', 'upbeat', 'utopia', 'valley', 'van',
  'vase', 'vector', 'velvet', 'verse', 'vessel', 'vest', 'video', 'viking', 'violet', 'violin', 'viper', 'vision', 'vista', 'vivid', 'vortex', 'voyage',
  'waffle', 'wagon', 'wallet', 'walnut', 'walrus', 'waltz', 'wand', 'wander', 'warm', 'watch', 'wave', 'wavy', 'whale', 'wheat', 'wheel', 'white',
  'wiggle', 'willow', 'wind', 'window', 'wink', 'winter', 'wise', 'witty', 'wizard', 'wolf', 'wombat', 'wonder', 'wood', 'worm', 'wren', 'write',
  'yak', 'yard', 'yarn', 'yawn', 'yellow', 'yeti', 'yodel', 'young', 'zebra', 'zenith', 'zesty', 'zigzag', 'zipper', 'zippy', 'zoo', 'zoom',
]);

const WORDS = new Set(PAIRING_WORDS);

export const PAIRING_CODE_COUNT = 9 * PAIRING_WORDS.length ** 3;

export interface PairingCode {
  /** 1 to 9. */
  readonly number: number;
  readonly words: readonly [string, string, string];
  /** The canonical form, e.g. `4-orbit-lemon-violet`. */
  readonly text: string;
}

/** A pairing code as typed cannot be read. The message says what to fix. */
export class InvalidPairingCodeError extends SynclineError {
  constructor(reason: string) {
    super('SYNCLINE_INVALID_PAIRING_CODE', `invalid pairing code: ${reason}`);
  }
}

export function generatePairingCode(random: RandomSource = systemRandom): PairingCode {
  const number = 1 + uniformInt(random, 9);
  const pick = (): string => PAIRING_WORDS[uniformInt(random, PAIRING_WORDS.length)]!;
  return makeCode(number, [pick(), pick(), pick()]);
}

const EXAMPLE = 'like 4-orbit-lemon-violet';
/** Spaces, hyphens, the Unicode dashes a keyboard or phone may substitute, and underscores. */
const SEPARATORS = /[\s\-_\u2010-\u2015\u2212]+/u;
const MAX_INPUT = 100;

/** Reads a typed code: case, spaces and dashes do not matter (`4 Orbit lemon—VIOLET`). */
export function parsePairingCode(text: string): PairingCode {
  if (typeof text !== 'string') throw new InvalidPairingCodeError(`expected text, got ${typeof text}`);
  if (text.length > MAX_INPUT) throw new InvalidPairingCodeError(`too long; a code is a number and three words, ${EXAMPLE}`);
  const parts = text.normalize('NFKC').toLowerCase().split(SEPARATORS).filter((part) => part !== '');
  if (parts.length === 0) throw new InvalidPairingCodeError(`it is empty; type the code shown on the other device, ${EXAMPLE}`);
  if (parts.length !== 4) {
    throw new InvalidPairingCodeError(`a code is a number and three words, ${EXAMPLE}; this has ${parts.length} part${parts.length === 1 ? '' : 's'}`);
  }
  const [first, ...words] = parts as [string, string, string, string];
  if (!/^[1-9]$/.test(first)) throw new InvalidPairingCodeError(`it must start with a number from 1 to 9, not ${quote(first)}`);
  for (const word of words) {
    if (!WORDS.has(word)) throw new InvalidPairingCodeError(`${quote(word)} is not one of the code words; check the spelling`);
  }
  return makeCode(Number(first), words as [string, string, string]);
}

/** The canonical bytes fed to SPAKE2 as the password: the UTF-8 of the canonical text. */
export function pairingPassword(code: PairingCode | string): Uint8Array {
  const parsed = typeof code === 'string' ? parsePairingCode(code) : parsePairingCode(code.text);
  return new TextEncoder().encode(parsed.text);
}

function makeCode(number: number, words: [string, string, string]): PairingCode {
  return Object.freeze({ number, words: Object.freeze(words), text: [number, ...words].join('-') });
}

function quote(part: string): string {
  return JSON.stringify(part.length > 24 ? `${part.slice(0, 24)}…` : part);
}
