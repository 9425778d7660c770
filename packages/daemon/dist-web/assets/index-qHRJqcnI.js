var e=globalThis,t=e.ShadowRoot&&(e.ShadyCSS===void 0||e.ShadyCSS.nativeShadow)&&`adoptedStyleSheets`in Document.prototype&&`replace`in CSSStyleSheet.prototype,n=Symbol(),r=new WeakMap,i=class{constructor(e,t,r){if(this._$cssResult$=!0,r!==n)throw Error("CSSResult is not constructable. Use `unsafeCSS` or `css` instead.");this.cssText=e,this.t=t}get styleSheet(){let e=this.o,n=this.t;if(t&&e===void 0){let t=n!==void 0&&n.length===1;t&&(e=r.get(n)),e===void 0&&((this.o=e=new CSSStyleSheet).replaceSync(this.cssText),t&&r.set(n,e))}return e}toString(){return this.cssText}},a=e=>new i(typeof e==`string`?e:e+``,void 0,n),o=(e,...t)=>new i(e.length===1?e[0]:t.reduce((t,n,r)=>t+(e=>{if(!0===e._$cssResult$)return e.cssText;if(typeof e==`number`)return e;throw Error(`Value passed to 'css' function must be a 'css' function result: `+e+`. Use 'unsafeCSS' to pass non-literal values, but take care to ensure page security.`)})(n)+e[r+1],e[0]),e,n),s=(n,r)=>{if(t)n.adoptedStyleSheets=r.map(e=>e instanceof CSSStyleSheet?e:e.styleSheet);else for(let t of r){let r=document.createElement(`style`),i=e.litNonce;i!==void 0&&r.setAttribute(`nonce`,i),r.textContent=t.cssText,n.appendChild(r)}},c=t?e=>e:e=>e instanceof CSSStyleSheet?(e=>{let t=``;for(let n of e.cssRules)t+=n.cssText;return a(t)})(e):e,{is:l,defineProperty:u,getOwnPropertyDescriptor:d,getOwnPropertyNames:ee,getOwnPropertySymbols:te,getPrototypeOf:ne}=Object,f=globalThis,re=f.trustedTypes,ie=re?re.emptyScript:``,ae=f.reactiveElementPolyfillSupport,p=(e,t)=>e,m={toAttribute(e,t){switch(t){case Boolean:e=e?ie:null;break;case Object:case Array:e=e==null?e:JSON.stringify(e)}return e},fromAttribute(e,t){let n=e;switch(t){case Boolean:n=e!==null;break;case Number:n=e===null?null:Number(e);break;case Object:case Array:try{n=JSON.parse(e)}catch{n=null}}return n}},h=(e,t)=>!l(e,t),oe={attribute:!0,type:String,converter:m,reflect:!1,useDefault:!1,hasChanged:h};Symbol.metadata??=Symbol(`metadata`),f.litPropertyMetadata??=new WeakMap;var g=class extends HTMLElement{static addInitializer(e){this._$Ei(),(this.l??=[]).push(e)}static get observedAttributes(){return this.finalize(),this._$Eh&&[...this._$Eh.keys()]}static createProperty(e,t=oe){if(t.state&&(t.attribute=!1),this._$Ei(),this.prototype.hasOwnProperty(e)&&((t=Object.create(t)).wrapped=!0),this.elementProperties.set(e,t),!t.noAccessor){let n=Symbol(),r=this.getPropertyDescriptor(e,n,t);r!==void 0&&u(this.prototype,e,r)}}static getPropertyDescriptor(e,t,n){let{get:r,set:i}=d(this.prototype,e)??{get(){return this[t]},set(e){this[t]=e}};return{get:r,set(t){let a=r?.call(this);i?.call(this,t),this.requestUpdate(e,a,n)},configurable:!0,enumerable:!0}}static getPropertyOptions(e){return this.elementProperties.get(e)??oe}static _$Ei(){if(this.hasOwnProperty(p(`elementProperties`)))return;let e=ne(this);e.finalize(),e.l!==void 0&&(this.l=[...e.l]),this.elementProperties=new Map(e.elementProperties)}static finalize(){if(this.hasOwnProperty(p(`finalized`)))return;if(this.finalized=!0,this._$Ei(),this.hasOwnProperty(p(`properties`))){let e=this.properties,t=[...ee(e),...te(e)];for(let n of t)this.createProperty(n,e[n])}let e=this[Symbol.metadata];if(e!==null){let t=litPropertyMetadata.get(e);if(t!==void 0)for(let[e,n]of t)this.elementProperties.set(e,n)}this._$Eh=new Map;for(let[e,t]of this.elementProperties){let n=this._$Eu(e,t);n!==void 0&&this._$Eh.set(n,e)}this.elementStyles=this.finalizeStyles(this.styles)}static finalizeStyles(e){let t=[];if(Array.isArray(e)){let n=new Set(e.flat(1/0).reverse());for(let e of n)t.unshift(c(e))}else e!==void 0&&t.push(c(e));return t}static _$Eu(e,t){let n=t.attribute;return!1===n?void 0:typeof n==`string`?n:typeof e==`string`?e.toLowerCase():void 0}constructor(){super(),this._$Ep=void 0,this.isUpdatePending=!1,this.hasUpdated=!1,this._$Em=null,this._$Ev()}_$Ev(){this._$ES=new Promise(e=>this.enableUpdating=e),this._$AL=new Map,this._$E_(),this.requestUpdate(),this.constructor.l?.forEach(e=>e(this))}addController(e){(this._$EO??=new Set).add(e),this.renderRoot!==void 0&&this.isConnected&&e.hostConnected?.()}removeController(e){this._$EO?.delete(e)}_$E_(){let e=new Map,t=this.constructor.elementProperties;for(let n of t.keys())this.hasOwnProperty(n)&&(e.set(n,this[n]),delete this[n]);e.size>0&&(this._$Ep=e)}createRenderRoot(){let e=this.shadowRoot??this.attachShadow(this.constructor.shadowRootOptions);return s(e,this.constructor.elementStyles),e}connectedCallback(){this.renderRoot??=this.createRenderRoot(),this.enableUpdating(!0),this._$EO?.forEach(e=>e.hostConnected?.())}enableUpdating(e){}disconnectedCallback(){this._$EO?.forEach(e=>e.hostDisconnected?.())}attributeChangedCallback(e,t,n){this._$AK(e,n)}_$ET(e,t){let n=this.constructor.elementProperties.get(e),r=this.constructor._$Eu(e,n);if(r!==void 0&&!0===n.reflect){let i=(n.converter?.toAttribute===void 0?m:n.converter).toAttribute(t,n.type);this._$Em=e,i==null?this.removeAttribute(r):this.setAttribute(r,i),this._$Em=null}}_$AK(e,t){let n=this.constructor,r=n._$Eh.get(e);if(r!==void 0&&this._$Em!==r){let e=n.getPropertyOptions(r),i=typeof e.converter==`function`?{fromAttribute:e.converter}:e.converter?.fromAttribute===void 0?m:e.converter;this._$Em=r;let a=i.fromAttribute(t,e.type);this[r]=a??this._$Ej?.get(r)??a,this._$Em=null}}requestUpdate(e,t,n,r=!1,i){if(e!==void 0){let a=this.constructor;if(!1===r&&(i=this[e]),n??=a.getPropertyOptions(e),!((n.hasChanged??h)(i,t)||n.useDefault&&n.reflect&&i===this._$Ej?.get(e)&&!this.hasAttribute(a._$Eu(e,n))))return;this.C(e,t,n)}!1===this.isUpdatePending&&(this._$ES=this._$EP())}C(e,t,{useDefault:n,reflect:r,wrapped:i},a){n&&!(this._$Ej??=new Map).has(e)&&(this._$Ej.set(e,a??t??this[e]),!0!==i||a!==void 0)||(this._$AL.has(e)||(this.hasUpdated||n||(t=void 0),this._$AL.set(e,t)),!0===r&&this._$Em!==e&&(this._$Eq??=new Set).add(e))}async _$EP(){this.isUpdatePending=!0;try{await this._$ES}catch(e){Promise.reject(e)}let e=this.scheduleUpdate();return e!=null&&await e,!this.isUpdatePending}scheduleUpdate(){return this.performUpdate()}performUpdate(){if(!this.isUpdatePending)return;if(!this.hasUpdated){if(this.renderRoot??=this.createRenderRoot(),this._$Ep){for(let[e,t]of this._$Ep)this[e]=t;this._$Ep=void 0}let e=this.constructor.elementProperties;if(e.size>0)for(let[t,n]of e){let{wrapped:e}=n,r=this[t];!0!==e||this._$AL.has(t)||r===void 0||this.C(t,void 0,n,r)}}let e=!1,t=this._$AL;try{e=this.shouldUpdate(t),e?(this.willUpdate(t),this._$EO?.forEach(e=>e.hostUpdate?.()),this.update(t)):this._$EM()}catch(t){throw e=!1,this._$EM(),t}e&&this._$AE(t)}willUpdate(e){}_$AE(e){this._$EO?.forEach(e=>e.hostUpdated?.()),this.hasUpdated||(this.hasUpdated=!0,this.firstUpdated(e)),this.updated(e)}_$EM(){this._$AL=new Map,this.isUpdatePending=!1}get updateComplete(){return this.getUpdateComplete()}getUpdateComplete(){return this._$ES}shouldUpdate(e){return!0}update(e){this._$Eq&&=this._$Eq.forEach(e=>this._$ET(e,this[e])),this._$EM()}updated(e){}firstUpdated(e){}};g.elementStyles=[],g.shadowRootOptions={mode:`open`},g[p(`elementProperties`)]=new Map,g[p(`finalized`)]=new Map,ae?.({ReactiveElement:g}),(f.reactiveElementVersions??=[]).push(`2.1.2`);var _=globalThis,se=e=>e,v=_.trustedTypes,ce=v?v.createPolicy(`lit-html`,{createHTML:e=>e}):void 0,le=`$lit$`,y=`lit$${Math.random().toFixed(9).slice(2)}$`,ue=`?`+y,de=`<${ue}>`,b=document,x=()=>b.createComment(``),S=e=>e===null||typeof e!=`object`&&typeof e!=`function`,C=Array.isArray,fe=e=>C(e)||typeof e?.[Symbol.iterator]==`function`,w=`[ 	
\f\r]`,T=/<(?:(!--|\/[^a-zA-Z])|(\/?[a-zA-Z][^>\s]*)|(\/?$))/g,E=/-->/g,D=/>/g,O=RegExp(`>|${w}(?:([^\\s"'>=/]+)(${w}*=${w}*(?:[^ \t\n\f\r"'\`<>=]|("|')|))|$)`,`g`),k=/'/g,A=/"/g,j=/^(?:script|style|textarea|title)$/i,M=(e=>(t,...n)=>({_$litType$:e,strings:t,values:n}))(1),N=Symbol.for(`lit-noChange`),P=Symbol.for(`lit-nothing`),pe=new WeakMap,F=b.createTreeWalker(b,129);function me(e,t){if(!C(e)||!e.hasOwnProperty(`raw`))throw Error(`invalid template strings array`);return ce===void 0?t:ce.createHTML(t)}var he=(e,t)=>{let n=e.length-1,r=[],i,a=t===2?`<svg>`:t===3?`<math>`:``,o=T;for(let t=0;t<n;t++){let n=e[t],s,c,l=-1,u=0;for(;u<n.length&&(o.lastIndex=u,c=o.exec(n),c!==null);)u=o.lastIndex,o===T?c[1]===`!--`?o=E:c[1]===void 0?c[2]===void 0?c[3]!==void 0&&(o=O):(j.test(c[2])&&(i=RegExp(`</`+c[2],`g`)),o=O):o=D:o===O?c[0]===`>`?(o=i??T,l=-1):c[1]===void 0?l=-2:(l=o.lastIndex-c[2].length,s=c[1],o=c[3]===void 0?O:c[3]===`"`?A:k):o===A||o===k?o=O:o===E||o===D?o=T:(o=O,i=void 0);let d=o===O&&e[t+1].startsWith(`/>`)?` `:``;a+=o===T?n+de:l>=0?(r.push(s),n.slice(0,l)+le+n.slice(l)+y+d):n+y+(l===-2?t:d)}return[me(e,a+(e[n]||`<?>`)+(t===2?`</svg>`:t===3?`</math>`:``)),r]},I=class e{constructor({strings:t,_$litType$:n},r){let i;this.parts=[];let a=0,o=0,s=t.length-1,c=this.parts,[l,u]=he(t,n);if(this.el=e.createElement(l,r),F.currentNode=this.el.content,n===2||n===3){let e=this.el.content.firstChild;e.replaceWith(...e.childNodes)}for(;(i=F.nextNode())!==null&&c.length<s;){if(i.nodeType===1){if(i.hasAttributes())for(let e of i.getAttributeNames())if(e.endsWith(le)){let t=u[o++],n=i.getAttribute(e).split(y),r=/([.?@])?(.*)/.exec(t);c.push({type:1,index:a,name:r[2],strings:n,ctor:r[1]===`.`?_e:r[1]===`?`?ve:r[1]===`@`?ye:z}),i.removeAttribute(e)}else e.startsWith(y)&&(c.push({type:6,index:a}),i.removeAttribute(e));if(j.test(i.tagName)){let e=i.textContent.split(y),t=e.length-1;if(t>0){i.textContent=v?v.emptyScript:``;for(let n=0;n<t;n++)i.append(e[n],x()),F.nextNode(),c.push({type:2,index:++a});i.append(e[t],x())}}}else if(i.nodeType===8){if(i.data===ue)c.push({type:2,index:a});else{let e=-1;for(;(e=i.data.indexOf(y,e+1))!==-1;)c.push({type:7,index:a}),e+=y.length-1}}a++}}static createElement(e,t){let n=b.createElement(`template`);return n.innerHTML=e,n}};function L(e,t,n=e,r){if(t===N)return t;let i=r===void 0?n._$Cl:n._$Co?.[r],a=S(t)?void 0:t._$litDirective$;return i?.constructor!==a&&(i?._$AO?.(!1),a===void 0?i=void 0:(i=new a(e),i._$AT(e,n,r)),r===void 0?n._$Cl=i:(n._$Co??=[])[r]=i),i!==void 0&&(t=L(e,i._$AS(e,t.values),i,r)),t}var ge=class{constructor(e,t){this._$AV=[],this._$AN=void 0,this._$AD=e,this._$AM=t}get parentNode(){return this._$AM.parentNode}get _$AU(){return this._$AM._$AU}u(e){let{el:{content:t},parts:n}=this._$AD,r=(e?.creationScope??b).importNode(t,!0);F.currentNode=r;let i=F.nextNode(),a=0,o=0,s=n[0];for(;s!==void 0;){if(a===s.index){let t;s.type===2?t=new R(i,i.nextSibling,this,e):s.type===1?t=new s.ctor(i,s.name,s.strings,this,e):s.type===6&&(t=new be(i,this,e)),this._$AV.push(t),s=n[++o]}a!==s?.index&&(i=F.nextNode(),a++)}return F.currentNode=b,r}p(e){let t=0;for(let n of this._$AV)n!==void 0&&(n.strings===void 0?n._$AI(e[t]):(n._$AI(e,n,t),t+=n.strings.length-2)),t++}},R=class e{get _$AU(){return this._$AM?._$AU??this._$Cv}constructor(e,t,n,r){this.type=2,this._$AH=P,this._$AN=void 0,this._$AA=e,this._$AB=t,this._$AM=n,this.options=r,this._$Cv=r?.isConnected??!0}get parentNode(){let e=this._$AA.parentNode,t=this._$AM;return t!==void 0&&e?.nodeType===11&&(e=t.parentNode),e}get startNode(){return this._$AA}get endNode(){return this._$AB}_$AI(e,t=this){e=L(this,e,t),S(e)?e===P||e==null||e===``?(this._$AH!==P&&this._$AR(),this._$AH=P):e!==this._$AH&&e!==N&&this._(e):e._$litType$===void 0?e.nodeType===void 0?fe(e)?this.k(e):this._(e):this.T(e):this.$(e)}O(e){return this._$AA.parentNode.insertBefore(e,this._$AB)}T(e){this._$AH!==e&&(this._$AR(),this._$AH=this.O(e))}_(e){this._$AH!==P&&S(this._$AH)?this._$AA.nextSibling.data=e:this.T(b.createTextNode(e)),this._$AH=e}$(e){let{values:t,_$litType$:n}=e,r=typeof n==`number`?this._$AC(e):(n.el===void 0&&(n.el=I.createElement(me(n.h,n.h[0]),this.options)),n);if(this._$AH?._$AD===r)this._$AH.p(t);else{let e=new ge(r,this),n=e.u(this.options);e.p(t),this.T(n),this._$AH=e}}_$AC(e){let t=pe.get(e.strings);return t===void 0&&pe.set(e.strings,t=new I(e)),t}k(t){C(this._$AH)||(this._$AH=[],this._$AR());let n=this._$AH,r,i=0;for(let a of t)i===n.length?n.push(r=new e(this.O(x()),this.O(x()),this,this.options)):r=n[i],r._$AI(a),i++;i<n.length&&(this._$AR(r&&r._$AB.nextSibling,i),n.length=i)}_$AR(e=this._$AA.nextSibling,t){for(this._$AP?.(!1,!0,t);e!==this._$AB;){let t=se(e).nextSibling;se(e).remove(),e=t}}setConnected(e){this._$AM===void 0&&(this._$Cv=e,this._$AP?.(e))}},z=class{get tagName(){return this.element.tagName}get _$AU(){return this._$AM._$AU}constructor(e,t,n,r,i){this.type=1,this._$AH=P,this._$AN=void 0,this.element=e,this.name=t,this._$AM=r,this.options=i,n.length>2||n[0]!==``||n[1]!==``?(this._$AH=Array(n.length-1).fill(new String),this.strings=n):this._$AH=P}_$AI(e,t=this,n,r){let i=this.strings,a=!1;if(i===void 0)e=L(this,e,t,0),a=!S(e)||e!==this._$AH&&e!==N,a&&(this._$AH=e);else{let r=e,o,s;for(e=i[0],o=0;o<i.length-1;o++)s=L(this,r[n+o],t,o),s===N&&(s=this._$AH[o]),a||=!S(s)||s!==this._$AH[o],s===P?e=P:e!==P&&(e+=(s??``)+i[o+1]),this._$AH[o]=s}a&&!r&&this.j(e)}j(e){e===P?this.element.removeAttribute(this.name):this.element.setAttribute(this.name,e??``)}},_e=class extends z{constructor(){super(...arguments),this.type=3}j(e){this.element[this.name]=e===P?void 0:e}},ve=class extends z{constructor(){super(...arguments),this.type=4}j(e){this.element.toggleAttribute(this.name,!!e&&e!==P)}},ye=class extends z{constructor(e,t,n,r,i){super(e,t,n,r,i),this.type=5}_$AI(e,t=this){if((e=L(this,e,t,0)??P)===N)return;let n=this._$AH,r=e===P&&n!==P||e.capture!==n.capture||e.once!==n.once||e.passive!==n.passive,i=e!==P&&(n===P||r);r&&this.element.removeEventListener(this.name,this,n),i&&this.element.addEventListener(this.name,this,e),this._$AH=e}handleEvent(e){typeof this._$AH==`function`?this._$AH.call(this.options?.host??this.element,e):this._$AH.handleEvent(e)}},be=class{constructor(e,t,n){this.element=e,this.type=6,this._$AN=void 0,this._$AM=t,this.options=n}get _$AU(){return this._$AM._$AU}_$AI(e){L(this,e)}},xe=_.litHtmlPolyfillSupport;xe?.(I,R),(_.litHtmlVersions??=[]).push(`3.3.3`);var Se=(e,t,n)=>{let r=n?.renderBefore??t,i=r._$litPart$;if(i===void 0){let e=n?.renderBefore??null;r._$litPart$=i=new R(t.insertBefore(x(),e),e,void 0,n??{})}return i._$AI(e),i},B=globalThis,V=class extends g{constructor(){super(...arguments),this.renderOptions={host:this},this._$Do=void 0}createRenderRoot(){let e=super.createRenderRoot();return this.renderOptions.renderBefore??=e.firstChild,e}update(e){let t=this.render();this.hasUpdated||(this.renderOptions.isConnected=this.isConnected),super.update(e),this._$Do=Se(t,this.renderRoot,this.renderOptions)}connectedCallback(){super.connectedCallback(),this._$Do?.setConnected(!0)}disconnectedCallback(){super.disconnectedCallback(),this._$Do?.setConnected(!1)}render(){return N}};V._$litElement$=!0,V.finalized=!0,B.litElementHydrateSupport?.({LitElement:V});var Ce=B.litElementPolyfillSupport;Ce?.({LitElement:V}),(B.litElementVersions??=[]).push(`4.2.2`);var H=class extends Error{code;constructor(e,t){super(t),this.code=e,this.name=`ApiCallError`}},we=[500,1e3,2e3,4e3,8e3,15e3],Te=class{token;handlers;host;ws;nextId=1;pending=new Map;attempt=0;retryTimer;closed=!1;constructor(e,t,n=location.host){this.token=e,this.handlers=t,this.host=n}start(){this.connect()}call(e,t={}){let n=this.ws;if(!n||n.readyState!==WebSocket.OPEN)return Promise.reject(new H(`SYNCLINE_API_CLOSED`,`not connected to the daemon`));let r=this.nextId++;return new Promise((i,a)=>{this.pending.set(r,{resolve:i,reject:a}),n.send(JSON.stringify({id:r,method:e,params:t}))})}close(){this.closed=!0,this.retryTimer&&clearTimeout(this.retryTimer),this.ws?.close()}connect(){this.handlers.state({kind:`connecting`});let e=new WebSocket(`ws://${this.host}/api?token=${encodeURIComponent(this.token)}`);this.ws=e;let t=!1;e.addEventListener(`open`,()=>{t=!0,this.attempt=0,this.handlers.state({kind:`open`}),this.handlers.opened()}),e.addEventListener(`message`,e=>this.receive(String(e.data))),e.addEventListener(`close`,()=>{this.failPending(),this.closed||(t?this.retryLater():this.afterFailedOpen())})}receive(e){let t;try{t=JSON.parse(e)}catch{return}if(typeof t.event==`string`){this.handlers.event(t.event,t.data);return}let n=this.pending.get(t.id??-1);n&&(this.pending.delete(t.id),t.error?n.reject(new H(t.error.code,t.error.message)):n.resolve(t.result))}async afterFailedOpen(){let e=await fetch(`/`,{method:`HEAD`,cache:`no-store`}).then(e=>e.ok,()=>!1);this.closed||(e?this.handlers.state({kind:`refused`}):this.retryLater())}retryLater(){let e=we[Math.min(this.attempt,we.length-1)];this.attempt++,this.handlers.state({kind:`reconnecting`,inMs:e}),this.retryTimer=setTimeout(()=>this.connect(),e)}failPending(){for(let e of this.pending.values())e.reject(new H(`SYNCLINE_API_CLOSED`,`the connection to the daemon closed`));this.pending.clear()}};function U(e,t){return e instanceof H&&e.code===`SYNCLINE_API_UNKNOWN_METHOD`?`${t} is not available in this daemon version.`:e instanceof Error?e.message:String(e)}var Ee=[`B`,`KB`,`MB`,`GB`,`TB`];function W(e){if(!Number.isFinite(e)||e<0)return`–`;let t=e,n=0;for(;t>=1e3&&n<Ee.length-1;)t/=1e3,n++;let r=n===0||t>=100?0:1;return`${t.toLocaleString(void 0,{maximumFractionDigits:r,minimumFractionDigits:r})}\u00a0${Ee[n]}`}function De(e){return e>0?`${W(e)}/s`:`–`}function Oe(e){return`${Math.floor(e)}\u00a0%`}function G(e){return new Date(e).toLocaleTimeString(void 0,{hour:`2-digit`,minute:`2-digit`,second:`2-digit`})}function ke(e,t=Date.now()){let n=new Date(e);return new Date(t).toDateString()===n.toDateString()?G(e):n.toLocaleString(void 0,{year:`numeric`,month:`short`,day:`numeric`,hour:`2-digit`,minute:`2-digit`})}function K(e){return e.length<=14?e:`${e.slice(0,8)}…${e.slice(-4)}`}function q(e,t,n=`${t}s`){return`${e.toLocaleString()} ${e===1?t:n}`}var Ae=class{minIntervalMs;samples=new Map;constructor(e=200){this.minIntervalMs=e}update(e,t,n){let r=this.samples.get(e);if(!r||t<r.bytes)return this.samples.set(e,{bytes:t,atMs:n,rate:0}),0;let i=n-r.atMs;if(i<this.minIntervalMs)return r.rate;let a=(t-r.bytes)/i*1e3,o=r.rate===0?a:.5*a+.5*r.rate;return this.samples.set(e,{bytes:t,atMs:n,rate:o}),o}reset(e){this.samples.delete(e)}total(e){let t=0;for(let[n,r]of this.samples)e(n)&&(t+=r.rate);return t}resetWhere(e){for(let t of[...this.samples.keys()])e(t)&&this.samples.delete(t)}},je=60,Me=5,J={conflicts:!1,peers:!1},Ne={"keep-mine":`kept this device’s versions`,"take-theirs":`took the other versions`,"keep-both":`kept both versions`},Pe=class{now;deviceId=``;addresses=[];folderMap=new Map;peerMap=new Map;feedEntries=[];nextFeedId=1;rates=new Ae;constructor(e=()=>Date.now()){this.now=e}get folders(){return[...this.folderMap.values()].map(({status:e,live:t})=>({status:e,live:t,rate:this.rates.total(t=>t.startsWith(`${e.id}\u0000`))}))}get peers(){return[...this.peerMap.values()].map(e=>({...e,rate:this.rates.total(t=>t.endsWith(`\u0000${e.deviceId}`))}))}get feed(){return this.feedEntries}peerName(e){return this.peerMap.get(e)?.name||K(e)}loadStatus(e){this.deviceId=e.deviceId,this.addresses=e.addresses;let t=new Map([...this.folderMap].map(([e,t])=>[e,t.live]));this.folderMap.clear();for(let n of e.folders)this.folderMap.set(n.id,{status:n,live:n.state===`syncing`?t.get(n.id):void 0});this.loadPeers(e.peers)}loadPeers(e){this.peerMap.clear();for(let t of e)this.peerMap.set(t.deviceId,t)}addFolder(e){this.folderMap.has(e.id)||this.note(`folder`,`Folder ${e.id} added at ${e.path}`),this.folderMap.set(e.id,{status:e,live:this.folderMap.get(e.id)?.live})}note(e,t,n){let r={id:this.nextFeedId++,atMs:this.now(),kind:e,text:t,...n&&n.length>0?{paths:n.slice(0,Me)}:{}};this.feedEntries=[r,...this.feedEntries].slice(0,je)}apply(e,t){switch(e){case`folder`:return this.onFolder(t);case`progress`:return this.onProgress(t);case`synced`:return this.onSynced(t);case`conflict`:return this.onConflict(t);case`conflicts`:return this.onConflictsResolved(t);case`peer`:return this.onPeer(t);default:return J}}onFolder(e){let t=this.folderMap.get(e.id);t||this.note(`folder`,`Folder ${e.id} added at ${e.path}`);let n=e.state!==`syncing`;return n&&this.rates.resetWhere(t=>t.startsWith(`${e.id}\u0000`)),this.folderMap.set(e.id,{status:e,live:n?void 0:t?.live}),J}onProgress(e){let t=this.folderMap.get(e.folder);if(!t)return J;let{folder:n,peer:r,...i}=e;return this.rates.update(`${n}\u0000${r}`,i.bytesTransferred,this.now()),this.folderMap.set(n,{status:{...t.status,state:t.status.state===`idle`?`syncing`:t.status.state},live:{peer:r,stats:i}}),J}onSynced(e){this.rates.reset(`${e.folder}\u0000${e.peer}`);let t=this.folderMap.get(e.folder);if(t){let n=t.live?.peer===e.peer?t.live.stats:t.status.transfer;this.folderMap.set(e.folder,{status:{...t.status,transfer:n,lastSync:{peer:e.peer,atMs:this.now(),applied:e.applied}},live:void 0})}return e.applied>0&&this.note(`sync`,`${e.folder}: ${e.applied.toLocaleString()} ${e.applied===1?`change`:`changes`} from ${this.peerName(e.peer)}`,e.paths),e.problems.length>0&&this.note(`problem`,`${e.folder}: ${e.problems.length} ${e.problems.length===1?`file`:`files`} could not be synced`,e.problems.map(e=>`${e.path}: ${e.message}`)),{conflicts:e.applied>0||e.conflicts.length>0,peers:!1}}onConflict(e){return this.note(`conflict`,`${e.folder}: conflicting edits with ${this.peerName(e.peer)}; the other version is kept as a copy`,[e.copy]),{conflicts:!0,peers:!1}}onConflictsResolved(e){let t=e.resolved.length;return this.note(`resolved`,`${e.folder}: ${t} ${t===1?`conflict`:`conflicts`} resolved, ${Ne[e.action]??e.action}`,e.resolved),{conflicts:!0,peers:!1}}onPeer(e){let t=this.peerMap.get(e.deviceId);return t?(t.connected!==e.connected&&this.note(`peer`,`${this.peerName(e.deviceId)} ${e.connected?`connected`:`disconnected`}`),this.peerMap.set(e.deviceId,{...t,connected:e.connected}),e.connected||this.rates.resetWhere(t=>t.endsWith(`\u0000${e.deviceId}`)),J):{conflicts:!1,peers:!0}}},Y=o`
  :host {
    display: block;
    color: var(--fg);
    font: inherit;
  }
  * {
    box-sizing: border-box;
  }
  section.panel {
    background: var(--surface);
    border: 1px solid var(--border);
    border-radius: var(--radius);
    padding: 18px 20px 20px;
    box-shadow: var(--shadow);
  }
  .panel-head {
    display: flex;
    align-items: baseline;
    justify-content: space-between;
    gap: 12px;
    margin-bottom: 12px;
  }
  h2 {
    font-size: 1rem;
    font-weight: 600;
    margin: 0;
    letter-spacing: 0.01em;
  }
  h3 {
    font-size: 0.95rem;
    font-weight: 600;
    margin: 0;
  }
  .muted {
    color: var(--muted);
  }
  .small {
    font-size: 0.85rem;
  }
  .empty {
    color: var(--muted);
    font-size: 0.9rem;
    margin: 4px 0;
  }
  code,
  .mono {
    font-family: ui-monospace, 'SF Mono', Menlo, Consolas, monospace;
    font-size: 0.85em;
  }
  button {
    font: inherit;
    font-size: 0.9rem;
    padding: 6px 12px;
    border-radius: 7px;
    border: 1px solid var(--border-strong);
    background: var(--surface);
    color: var(--fg);
    cursor: pointer;
    line-height: 1.3;
  }
  button:hover:not(:disabled) {
    background: var(--hover);
  }
  button.primary {
    background: var(--accent);
    border-color: var(--accent);
    color: var(--on-accent);
  }
  button.primary:hover:not(:disabled) {
    background: var(--accent-strong);
  }
  button:disabled {
    opacity: 0.5;
    cursor: default;
  }
  button:focus-visible,
  input:focus-visible,
  select:focus-visible,
  summary:focus-visible {
    outline: 2px solid var(--focus);
    outline-offset: 2px;
  }
  input[type='text'],
  input[type='password'],
  select {
    font: inherit;
    font-size: 0.9rem;
    padding: 6px 9px;
    border-radius: 7px;
    border: 1px solid var(--border-strong);
    background: var(--surface);
    color: var(--fg);
    min-width: 0;
  }
  label {
    font-size: 0.85rem;
    color: var(--muted);
  }
  .field {
    display: flex;
    flex-direction: column;
    gap: 4px;
    min-width: 0;
  }
  .message {
    font-size: 0.88rem;
    margin: 10px 0 0;
  }
  .message.error {
    color: var(--danger);
  }
  .message.ok {
    color: var(--ok);
  }
  .dot {
    display: inline-block;
    width: 8px;
    height: 8px;
    border-radius: 50%;
    background: var(--muted-dot);
    flex: none;
  }
  .dot.on {
    background: var(--ok);
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`,X=`syncline.api-token`,Fe=/^[0-9a-f]{64}$/i;function Ie(e){return Fe.test(e.trim())}function Le(e=location,t=history,n=sessionStorage){let r=new URLSearchParams(e.hash.slice(1)).get(`token`);return r!==null&&(t.replaceState(null,``,e.pathname+e.search),r.trim()!==``)?(n.setItem(X,r.trim()),r.trim()):n.getItem(X)??void 0}function Re(e,t=sessionStorage){t.setItem(X,e.trim())}function ze(e=sessionStorage){e.removeItem(X)}var Z=e=>`${e.folder}\u0000${e.copy}`,Q=new Intl.Collator(void 0,{numeric:!0,sensitivity:`base`});function Be(e,t,n){switch(e){case`path`:return Q.compare(t.path,n.path);case`size`:return t.size-n.size;case`time`:return t.mtimeMs-n.mtimeMs;case`peer`:return Q.compare(t.peer,n.peer);case`folder`:return Q.compare(t.folder,n.folder)}}function Ve(e,t,n){let r=n===`ascending`?1:-1;return[...e].sort((e,n)=>r*Be(t,e,n)||Q.compare(e.folder,n.folder)||Q.compare(e.copy,n.copy))}function He(e,t){return e.key===t?{key:t,direction:e.direction===`ascending`?`descending`:`ascending`}:{key:t,direction:t===`time`?`descending`:`ascending`}}function Ue(e,t,n,r,i,a){let o=new Set(e),s=a&&i!==void 0?t.indexOf(i):-1,c=t.indexOf(n),[l,u]=s<0||c<0?[c,c]:[Math.min(s,c),Math.max(s,c)];for(let e=l;e<=u&&e>=0;e++){let n=t[e];r?o.add(n):o.delete(n)}return o}function We(e,t){let n=new Set(t);return new Set([...e].filter(e=>n.has(e)))}var $=[{action:`keep-mine`,label:`Keep mine`,help:`Keep the file at its name; the conflict copy goes to the trash.`,done:`kept the files at their names`},{action:`take-theirs`,label:`Take theirs`,help:`Put the conflict copy in the file’s place; the file goes to the trash.`,done:`took the conflict copies`},{action:`keep-both`,label:`Keep both`,help:`Keep both files as they are and stop listing the conflict.`,done:`kept both versions`}],Ge=[{key:`path`,label:`File`},{key:`size`,label:`Size`},{key:`time`,label:`Modified`},{key:`peer`,label:`Peer`}],Ke=class extends V{static properties={items:{attribute:!1},available:{attribute:!1},truncated:{attribute:!1},api:{attribute:!1},sort:{state:!0},selected:{state:!0},busy:{state:!0},message:{state:!0}};anchor;constructor(){super(),this.items=[],this.available=!0,this.truncated=!1,this.api=void 0,this.sort={key:`path`,direction:`ascending`},this.selected=new Set,this.busy=!1,this.message=void 0}get rows(){return Ve(this.items,this.sort.key,this.sort.direction)}willUpdate(e){e.has(`items`)&&(this.selected=We(this.selected,this.items.map(Z)))}toggle(e,t){let n=t.target.checked;this.selected=Ue(this.selected,this.rows.map(Z),e,n,this.anchor,t.shiftKey),this.anchor=e}toggleAll(e){let t=e.target.checked;this.selected=t?new Set(this.items.map(Z)):new Set,this.anchor=void 0}async resolve(e){if(!this.api||this.selected.size===0)return;let t=this.items.filter(e=>this.selected.has(Z(e))),n=new Map;for(let e of t)n.set(e.folder,[...n.get(e.folder)??[],e.copy]);this.busy=!0,this.message=void 0;let r=[],i=0;try{for(let[t,a]of n){let n=await this.api.call(`conflicts.resolve`,{folder:t,copies:a,action:e});for(let e of n.outcomes)e.ok?i++:r.push(`${e.copy}: ${e.error??`failed`}`)}let t=$.find(t=>t.action===e).done;this.message=r.length===0?{tone:`ok`,text:`Resolved ${i} ${i===1?`conflict`:`conflicts`}: ${t}.`}:{tone:`error`,text:`Resolved ${i}; ${r.length} could not be resolved. ${r.slice(0,3).join(`; `)}`},this.selected=new Set,this.anchor=void 0}catch(e){this.message={tone:`error`,text:U(e,`Resolving conflicts`)}}finally{this.busy=!1,this.dispatchEvent(new CustomEvent(`sl-conflicts-changed`,{bubbles:!0,composed:!0}))}}renderHeader(e){let t=this.sort.key===e.key;return M`<th scope="col" class=${e.key} aria-sort=${t?this.sort.direction:`none`}>
      <button class="sort" @click=${()=>this.sort=He(this.sort,e.key)}>
        ${e.label}<span class="arrow" aria-hidden="true">${t?this.sort.direction===`ascending`?`▲`:`▼`:``}</span>
      </button>
    </th>`}renderTable(){let e=this.rows,t=new Set(this.items.map(e=>e.folder)).size>1,n=e.length>0&&this.selected.size===e.length;return M`
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col" class="check">
                <input type="checkbox" aria-label="Select all conflicts" .checked=${n} .indeterminate=${this.selected.size>0&&!n} @change=${this.toggleAll} />
              </th>
              ${Ge.map(e=>this.renderHeader(e))}
            </tr>
          </thead>
          <tbody>
            ${e.map(e=>{let n=Z(e),r=this.selected.has(n);return M`<tr class=${r?`selected`:``} data-copy=${e.copy} data-folder=${e.folder}>
                <td class="check">
                  <input type="checkbox" aria-label=${`Select ${e.path} (copy ${e.copy})`} .checked=${r} @click=${e=>this.toggle(n,e)} />
                </td>
                <td class="path">
                  <span class="name">${t?M`<span class="folder-chip">${e.folder}</span>`:P}${e.path}</span>
                  <span class="copy mono" title=${e.copy}>${e.copy}</span>
                </td>
                <td class="size">${W(e.size)}</td>
                <td class="time">${ke(e.mtimeMs)}</td>
                <td class="peer mono">${e.peer||`—`}</td>
              </tr>`})}
          </tbody>
        </table>
      </div>
    `}render(){let e=this.items.length;return M`
      <section class="panel" aria-labelledby="conflicts-title">
        <div class="panel-head">
          <h2 id="conflicts-title">Conflicts${e>0?M` <span class="count">${e}</span>`:P}</h2>
          ${e>0?M`<span class="muted small">Shift-click to select a range</span>`:P}
        </div>
        ${this.available?e===0?M`<p class="empty">No conflicts. When two devices change the same file, the other version is kept as a copy and listed here.</p>`:M`
                <div class="actions" role="toolbar" aria-label="Resolve the selected conflicts">
                  <span class="selection small" aria-live="polite">${this.selected.size===0?`Select conflicts to resolve`:`${this.selected.size} selected`}</span>
                  ${$.map(e=>M`<button class=${e.action===`keep-mine`?`primary`:``} title=${e.help} ?disabled=${this.busy||this.selected.size===0} @click=${()=>this.resolve(e.action)}>
                      ${e.label}
                    </button>`)}
                </div>
                <p class="legend small muted">${$.map(e=>M`<span><strong>${e.label}</strong>: ${e.help}</span>`)}</p>
                ${this.renderTable()}
                ${this.truncated?M`<p class="small muted">Only the first ${e.toLocaleString()} conflicts are listed.</p>`:P}
              `:M`<p class="empty">The conflicts list is not available in this daemon version.</p>`}
        ${this.message?M`<p class="message ${this.message.tone}" role=${this.message.tone===`error`?`alert`:`status`}>${this.message.text}</p>`:P}
      </section>
    `}static styles=[Y,o`
      .count {
        display: inline-block;
        min-width: 1.6em;
        padding: 0 6px;
        margin-left: 4px;
        border-radius: 999px;
        background: var(--warn-soft);
        color: var(--warn);
        font-size: 0.8rem;
        text-align: center;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 8px;
      }
      .selection {
        margin-right: auto;
        color: var(--muted);
      }
      .legend {
        display: flex;
        flex-wrap: wrap;
        gap: 2px 16px;
        margin: 10px 0 12px;
      }
      .table-wrap {
        overflow-x: auto;
        border: 1px solid var(--border);
        border-radius: 8px;
      }
      table {
        width: 100%;
        border-collapse: collapse;
        font-size: 0.9rem;
      }
      th,
      td {
        text-align: left;
        padding: 8px 10px;
        border-bottom: 1px solid var(--border);
        vertical-align: top;
      }
      tbody tr:last-child td {
        border-bottom: none;
      }
      th {
        font-weight: 600;
        background: var(--hover);
        padding: 4px 6px;
      }
      th.check,
      td.check {
        width: 36px;
        padding-left: 12px;
      }
      th.check {
        vertical-align: middle;
      }
      td.check input {
        margin-top: 3px;
      }
      button.sort {
        border: none;
        background: none;
        font-weight: 600;
        padding: 4px 6px;
        font-size: 0.85rem;
        color: var(--fg);
      }
      .arrow {
        display: inline-block;
        width: 1em;
        font-size: 0.7rem;
        margin-left: 4px;
        color: var(--accent);
      }
      tr.selected td {
        background: var(--busy-soft);
      }
      td.path {
        min-width: 220px;
      }
      .name {
        display: block;
        font-weight: 500;
        word-break: break-all;
      }
      .copy {
        display: block;
        color: var(--muted);
        word-break: break-all;
      }
      .folder-chip {
        font-size: 0.75rem;
        padding: 0 6px;
        margin-right: 6px;
        border-radius: 999px;
        border: 1px solid var(--border);
        color: var(--muted);
      }
      td.size,
      td.time {
        white-space: nowrap;
        font-variant-numeric: tabular-nums;
      }
      td.peer {
        color: var(--muted);
      }
    `]};customElements.define(`sl-conflicts`,Ke);var qe={sync:`Synced`,conflict:`Conflict`,problem:`Problem`,peer:`Device`,resolved:`Resolved`,folder:`Folder`},Je=class extends V{static properties={entries:{attribute:!1}};constructor(){super(),this.entries=[]}render(){return M`
      <section class="panel" aria-labelledby="feed-title">
        <div class="panel-head">
          <h2 id="feed-title">Recent changes</h2>
        </div>
        ${this.entries.length===0?M`<p class="empty">Nothing yet. Changes appear here as they sync.</p>`:M`<ol aria-live="polite">
              ${this.entries.map(e=>M`
                  <li class=${e.kind}>
                    <time class="small muted">${G(e.atMs)}</time>
                    <div>
                      <span class="kind">${qe[e.kind]}</span>
                      <span class="text">${e.text}</span>
                      ${e.paths?M`<ul class="paths">${e.paths.map(e=>M`<li class="mono">${e}</li>`)}</ul>`:P}
                    </div>
                  </li>
                `)}
            </ol>`}
      </section>
    `}static styles=[Y,o`
      ol {
        list-style: none;
        margin: 0;
        padding: 0;
        max-height: 420px;
        overflow-y: auto;
      }
      ol > li {
        display: grid;
        grid-template-columns: max-content minmax(0, 1fr);
        column-gap: 12px;
        padding: 8px 0;
        border-top: 1px solid var(--border);
        font-size: 0.9rem;
      }
      ol > li:first-child {
        border-top: none;
        padding-top: 0;
      }
      time {
        font-variant-numeric: tabular-nums;
        white-space: nowrap;
        padding-top: 1px;
      }
      .kind {
        font-size: 0.75rem;
        font-weight: 600;
        text-transform: uppercase;
        letter-spacing: 0.04em;
        margin-right: 6px;
        color: var(--muted);
      }
      .sync .kind,
      .resolved .kind {
        color: var(--ok);
      }
      .conflict .kind {
        color: var(--warn);
      }
      .problem .kind {
        color: var(--danger);
      }
      .paths {
        list-style: none;
        margin: 3px 0 0;
        padding: 0;
        color: var(--muted);
      }
      .paths li {
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
    `]};customElements.define(`sl-feed`,Je);var Ye=e=>e.bytesTransferred+e.bytesReused+e.bytesResumed;function Xe(e,t){let{status:n,live:r}=e;if(n.state===`error`)return{percent:null,headline:`Error`,tone:`error`,files:``,bytes:n.error??``};if(n.state===`starting`)return{percent:void 0,headline:`Starting`,tone:`busy`,files:``,bytes:``};if(n.state===`stopped`)return{percent:null,headline:`Stopped`,tone:`idle`,files:``,bytes:``};if(n.state===`syncing`||r){let e=r?.stats??n.transfer,{filesPlanned:i,bytesPlanned:a}=e,o=Ye(e),s;return a!==void 0&&a>0?s=Math.min(100,o/a*100):i!==void 0&&i>0&&(s=Math.min(100,e.filesPrepared/i*100)),{percent:s,headline:r?`Syncing with ${t(r.peer)}`:`Syncing`,tone:`busy`,files:i===void 0?q(e.filesPrepared,`file`):`${e.filesPrepared.toLocaleString()} of ${q(i,`file`)}`,bytes:a===void 0?W(o):`${W(o)} of ${W(a)}`}}if(n.state===`scanning`)return{percent:n.lastSync?100:void 0,headline:`Scanning for changes`,tone:`busy`,files:``,bytes:``};if(n.devices.length===0)return{percent:null,headline:`Not shared`,tone:`idle`,files:``,bytes:`Share it with a device to start syncing.`};if(!n.lastSync)return{percent:0,headline:`Waiting for a device`,tone:`idle`,files:``,bytes:``};let i=n.transfer;return{percent:100,headline:`Up to date`,tone:`ok`,files:`Last sync ${G(n.lastSync.atMs)} with ${t(n.lastSync.peer)}: ${q(n.lastSync.applied,`change`)}`,bytes:i.bytesTransferred+i.bytesReused>0?`${W(i.bytesTransferred)} received, ${W(i.bytesReused+i.bytesResumed)} reused`:``}}var Ze=/^[A-Za-z0-9_-]{1,64}$/,Qe=class extends V{static properties={api:{attribute:!1},busy:{state:!0},error:{state:!0},done:{state:!0}};constructor(){super(),this.api=void 0,this.busy=!1,this.error=``,this.done=``}async submit(e){e.preventDefault();let t=e.target,n=new FormData(t),r=String(n.get(`id`)??``).trim(),i=String(n.get(`path`)??``).trim();if(this.done=``,!Ze.test(r))this.error=`A folder ID is 1–64 letters, digits, _ or -.`;else if(!i.startsWith(`/`)&&!/^[A-Za-z]:[\\/]/.test(i))this.error=`Give the folder’s full path on this device, like /home/me/Documents.`;else if(this.api){this.busy=!0,this.error=``;try{await this.api.call(`folder.add`,{id:r,path:i}),this.done=`Added ${r}. Share it with a device to start syncing.`,t.reset(),this.dispatchEvent(new CustomEvent(`sl-refresh`,{bubbles:!0,composed:!0}))}catch(e){this.error=U(e,`Adding folders`)}finally{this.busy=!1}}}render(){return M`
      <details>
        <summary>Add a folder</summary>
        <form @submit=${this.submit} novalidate>
          <div class="field id">
            <label for="folder-id">Folder ID</label>
            <input id="folder-id" name="id" type="text" required autocomplete="off" spellcheck="false" placeholder="photos" />
          </div>
          <div class="field path">
            <label for="folder-path">Path on this device</label>
            <input id="folder-path" name="path" type="text" required autocomplete="off" spellcheck="false" placeholder="/home/me/Pictures" />
          </div>
          <button class="primary" type="submit" ?disabled=${this.busy}>${this.busy?`Adding…`:`Add folder`}</button>
        </form>
        <p class="hint small muted">Use the same folder ID on every device that shares the folder.</p>
        ${this.error?M`<p class="message error" role="alert">${this.error}</p>`:P}
        ${this.done?M`<p class="message ok" role="status">${this.done}</p>`:P}
      </details>
    `}static styles=[Y,o`
      details {
        margin-top: 6px;
      }
      summary {
        cursor: pointer;
        color: var(--accent);
        font-size: 0.9rem;
        width: fit-content;
        border-radius: 4px;
      }
      form {
        display: flex;
        flex-wrap: wrap;
        align-items: flex-end;
        gap: 10px;
        margin-top: 12px;
      }
      .field.id {
        flex: 1 1 140px;
      }
      .field.path {
        flex: 3 1 240px;
      }
      .hint {
        margin: 8px 0 0;
      }
    `]};customElements.define(`sl-add-folder`,Qe);var $e=class extends V{static properties={folders:{attribute:!1},peers:{attribute:!1},api:{attribute:!1},shareErrors:{state:!0}};constructor(){super(),this.folders=[],this.peers=[],this.api=void 0,this.shareErrors={}}peerName=e=>this.peers.find(t=>t.deviceId===e)?.name||K(e);async share(e,t){let n=t.value;if(n&&this.api)try{await this.api.call(`folder.share`,{id:e,deviceId:n}),this.shareErrors={...this.shareErrors,[e]:``},this.dispatchEvent(new CustomEvent(`sl-refresh`,{bubbles:!0,composed:!0}))}catch(t){this.shareErrors={...this.shareErrors,[e]:U(t,`Sharing`)}}}renderFolder(e){let{status:t}=e,n=Xe(e,this.peerName),r=this.peers.filter(e=>!t.devices.includes(e.deviceId)),i=`${t.id}: ${n.headline}`,a=`share-${t.id}`;return M`
      <li class="folder" data-folder=${t.id} aria-label=${`Folder ${t.id}`}>
        <div class="row">
          <div class="title">
            <h3>${t.id}</h3>
            <span class="path mono" title=${t.path}>${t.path}</span>
          </div>
          <span class="badge ${n.tone}" data-state=${t.state}>${n.headline}</span>
        </div>
        ${n.percent===null?P:M`<div class="bar-row">
              ${n.percent===void 0?M`<progress class=${n.tone} aria-label=${i}></progress>`:M`<progress class=${n.tone} max="100" .value=${n.percent} aria-label=${i}></progress>`}
              <span class="percent" aria-hidden="true">${n.percent===void 0?``:Oe(n.percent)}</span>
            </div>`}
        <p class="stats small">
          ${[n.files,n.bytes,e.rate>0?`↓ ${De(e.rate)}`:``].filter(e=>e!==``).join(` · `)||M`&nbsp;`}
        </p>
        <div class="share small">
          <span class="muted">Shared with</span>
          ${t.devices.length===0?M`<span class="muted">no device yet</span>`:t.devices.map(e=>M`<span class="chip" title=${e}>${this.peerName(e)}</span>`)}
          ${r.length===0?P:M`<span class="share-form">
                <label class="visually-hidden" for=${a}>Share ${t.id} with</label>
                <select id=${a}>
                  ${r.map(e=>M`<option value=${e.deviceId}>${e.name||this.peerName(e.deviceId)}</option>`)}
                </select>
                <button @click=${e=>this.share(t.id,e.target.previousElementSibling)}>Share</button>
              </span>`}
        </div>
        ${this.shareErrors[t.id]?M`<p class="message error" role="alert">${this.shareErrors[t.id]}</p>`:P}
      </li>
    `}render(){return M`
      <section class="panel" aria-labelledby="folders-title">
        <div class="panel-head">
          <h2 id="folders-title">Folders</h2>
          <span class="muted small">${this.folders.length===1?`1 folder`:`${this.folders.length} folders`}</span>
        </div>
        ${this.folders.length===0?M`<p class="empty">No folders yet. Add one below.</p>`:M`<ul class="folders">${this.folders.map(e=>this.renderFolder(e))}</ul>`}
        <sl-add-folder .api=${this.api}></sl-add-folder>
      </section>
    `}static styles=[Y,o`
      ul.folders {
        list-style: none;
        margin: 0 0 8px;
        padding: 0;
        display: grid;
        gap: 12px;
      }
      li.folder {
        border: 1px solid var(--border);
        border-radius: 8px;
        padding: 12px 14px;
      }
      .row {
        display: flex;
        align-items: flex-start;
        justify-content: space-between;
        gap: 12px;
      }
      .title {
        display: flex;
        align-items: baseline;
        gap: 10px;
        min-width: 0;
        flex-wrap: wrap;
      }
      .path {
        color: var(--muted);
        overflow-wrap: anywhere;
        min-width: 0;
      }
      .badge {
        flex: none;
        font-size: 0.8rem;
        font-weight: 550;
        padding: 2px 9px;
        border-radius: 999px;
        background: var(--hover);
        color: var(--muted);
        white-space: nowrap;
      }
      .badge.ok {
        background: var(--ok-soft);
        color: var(--ok);
      }
      .badge.busy {
        background: var(--busy-soft);
        color: var(--busy);
      }
      .badge.error {
        background: var(--danger-soft);
        color: var(--danger);
      }
      .bar-row {
        display: flex;
        align-items: center;
        gap: 10px;
        margin-top: 10px;
      }
      progress {
        flex: 1;
        height: 8px;
        border: none;
        border-radius: 999px;
        background: var(--track);
        overflow: hidden;
        appearance: none;
        -webkit-appearance: none;
      }
      progress::-webkit-progress-bar {
        background: var(--track);
        border-radius: 999px;
      }
      progress::-webkit-progress-value {
        background: var(--busy);
        border-radius: 999px;
      }
      progress.ok::-webkit-progress-value {
        background: var(--ok);
      }
      progress::-moz-progress-bar {
        background: var(--busy);
        border-radius: 999px;
      }
      progress.ok::-moz-progress-bar {
        background: var(--ok);
      }
      progress:indeterminate::-webkit-progress-bar {
        background: linear-gradient(90deg, var(--track) 0%, var(--track) 30%, var(--busy) 50%, var(--track) 70%, var(--track) 100%);
        background-size: 300% 100%;
        animation: sweep 1.6s linear infinite;
      }
      @keyframes sweep {
        from {
          background-position: 100% 0;
        }
        to {
          background-position: 0 0;
        }
      }
      @media (prefers-reduced-motion: reduce) {
        progress:indeterminate::-webkit-progress-bar {
          animation: none;
          background: var(--busy-soft);
        }
      }
      .percent {
        width: 3.2em;
        text-align: right;
        font-variant-numeric: tabular-nums;
        font-size: 0.85rem;
        color: var(--muted);
      }
      .stats {
        margin: 6px 0 0;
        color: var(--muted);
        font-variant-numeric: tabular-nums;
      }
      .share {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 6px;
        margin-top: 8px;
      }
      .chip {
        padding: 1px 8px;
        border-radius: 999px;
        border: 1px solid var(--border);
      }
      .share-form {
        display: inline-flex;
        gap: 6px;
        margin-left: auto;
      }
      .share-form select,
      .share-form button {
        font-size: 0.82rem;
        padding: 3px 8px;
      }
    `]};customElements.define(`sl-folders`,$e);var et="Pairing with a code is not available in this daemon version. Add the device with `syncline peer add DEVICE --addr ADDRESS` on both sides instead.",tt=class extends V{static properties={api:{attribute:!1},code:{state:!0},secondsLeft:{state:!0},busy:{state:!0},error:{state:!0},done:{state:!0},unavailable:{state:!0}};countdown;constructor(){super(),this.api=void 0,this.code=void 0,this.secondsLeft=0,this.busy=!1,this.error=``,this.done=``,this.unavailable=!1}disconnectedCallback(){super.disconnectedCallback(),this.stopCountdown()}failed(e){e instanceof H&&e.code===`SYNCLINE_API_UNKNOWN_METHOD`?this.unavailable=!0:this.error=U(e,`Pairing`)}async showCode(){if(this.api){this.busy=!0,this.error=``,this.done=``;try{let e=await this.api.call(`pair.start`),t=typeof e.expiresAt==`number`?e.expiresAt:Date.parse(e.expiresAt);this.code={code:e.code,expiresAtMs:t},this.startCountdown()}catch(e){this.failed(e)}finally{this.busy=!1}}}async join(e){e.preventDefault();let t=e.target,n=String(new FormData(t).get(`code`)??``).trim();if(!n)this.error=`Type the code shown on the other device.`;else if(this.api){this.busy=!0,this.error=``,this.done=``;try{let e=await this.api.call(`pair.join`,{code:n}),r=e?.name||(e?.deviceId?K(e.deviceId):`the other device`);this.done=`Paired with ${r}. Share a folder with it to start syncing.`,t.reset(),this.dispatchEvent(new CustomEvent(`sl-refresh`,{bubbles:!0,composed:!0}))}catch(e){this.failed(e)}finally{this.busy=!1}}}startCountdown(){this.stopCountdown();let e=()=>{this.secondsLeft=this.code?Math.max(0,Math.round((this.code.expiresAtMs-Date.now())/1e3)):0,this.secondsLeft===0&&(this.stopCountdown(),this.code=void 0)};e(),this.countdown=setInterval(e,1e3)}stopCountdown(){this.countdown&&clearInterval(this.countdown),this.countdown=void 0}renderCode(){if(!this.code)return P;let e=Math.floor(this.secondsLeft/60),t=String(this.secondsLeft%60).padStart(2,`0`);return M`
      <div class="code-box" role="status">
        <span class="small muted">Type this code on the other device</span>
        <output class="code mono" aria-label="Pairing code">${this.code.code}</output>
        <span class="small muted">Expires in ${e}:${t}</span>
      </div>
    `}render(){return M`
      <section class="panel" aria-labelledby="pair-title">
        <div class="panel-head">
          <h2 id="pair-title">Pair a device</h2>
        </div>
        ${this.unavailable?M`<p class="message" role="status" data-testid="pair-unavailable">${et}</p>`:M`
              <p class="small muted intro">Show a code here and type it on the other device, or the other way round. Both devices then trust each other.</p>
              <button class="primary" @click=${this.showCode} ?disabled=${this.busy}>Show a pairing code</button>
              ${this.renderCode()}
              <form @submit=${this.join} novalidate>
                <div class="field">
                  <label for="pair-code">Code from the other device</label>
                  <input id="pair-code" name="code" type="text" autocomplete="off" spellcheck="false" inputmode="text" placeholder="123-456" />
                </div>
                <button type="submit" ?disabled=${this.busy}>Pair</button>
              </form>
              ${this.error?M`<p class="message error" role="alert">${this.error}</p>`:P}
              ${this.done?M`<p class="message ok" role="status">${this.done}</p>`:P}
            `}
      </section>
    `}static styles=[Y,o`
      .intro {
        margin: 0 0 12px;
      }
      .code-box {
        display: flex;
        flex-direction: column;
        align-items: center;
        gap: 4px;
        margin: 14px 0 4px;
        padding: 12px;
        border-radius: 8px;
        background: var(--busy-soft);
      }
      .code {
        font-size: 1.7rem;
        font-weight: 600;
        letter-spacing: 0.12em;
      }
      form {
        display: flex;
        align-items: flex-end;
        gap: 8px;
        margin-top: 14px;
      }
      form .field {
        flex: 1;
      }
    `]};customElements.define(`sl-pair`,tt);var nt=class extends V{static properties={peers:{attribute:!1}};constructor(){super(),this.peers=[]}render(){return M`
      <section class="panel" aria-labelledby="peers-title">
        <div class="panel-head">
          <h2 id="peers-title">Devices</h2>
          <span class="muted small" data-testid="peers-summary">${this.peers.filter(e=>e.connected).length} of ${this.peers.length} connected</span>
        </div>
        ${this.peers.length===0?M`<p class="empty">No trusted devices yet. Pair one below.</p>`:M`<ul>
              ${this.peers.map(e=>M`
                  <li data-peer=${e.deviceId} data-connected=${String(e.connected)} aria-label=${`${e.name||K(e.deviceId)}: ${e.connected?`connected`:`not connected`}`}>
                    <span class="dot ${e.connected?`on`:``}" aria-hidden="true"></span>
                    <span class="who">
                      <span class="name">${e.name||K(e.deviceId)}</span>
                      <span class="id mono" title=${e.deviceId}>${e.name?K(e.deviceId):e.addrs[0]??``}</span>
                    </span>
                    <span class="state small ${e.connected?`on`:``}">${e.connected?`Connected`:`Offline`}</span>
                    <span class="rate small" title="Receiving">${e.rate>0?`↓ ${De(e.rate)}`:``}</span>
                  </li>
                `)}
            </ul>`}
      </section>
    `}static styles=[Y,o`
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      li {
        display: grid;
        grid-template-columns: auto minmax(0, 1fr) auto;
        grid-template-areas: 'dot who state' '. rate rate';
        align-items: center;
        column-gap: 10px;
        padding: 9px 0;
        border-top: 1px solid var(--border);
      }
      li:first-child {
        border-top: none;
        padding-top: 2px;
      }
      .dot {
        grid-area: dot;
      }
      .who {
        grid-area: who;
        display: flex;
        flex-direction: column;
        min-width: 0;
      }
      .name {
        font-weight: 550;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .id {
        color: var(--muted);
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .state {
        grid-area: state;
        color: var(--muted);
      }
      .state.on {
        color: var(--ok);
      }
      .rate {
        grid-area: rate;
        color: var(--muted);
        font-variant-numeric: tabular-nums;
      }
      .rate:empty {
        display: none;
      }
    `]};customElements.define(`sl-peers`,nt);var rt=class extends V{static properties={refused:{type:Boolean},error:{state:!0}};constructor(){super(),this.refused=!1,this.error=``}submit(e){e.preventDefault();let t=String(new FormData(e.target).get(`token`)??``).trim();Ie(t)?(this.error=``,this.dispatchEvent(new CustomEvent(`sl-token`,{detail:t,bubbles:!0,composed:!0}))):this.error=`A token is 64 hexadecimal characters.`}render(){return M`
      <section class="panel" aria-labelledby="token-title">
        <h2 id="token-title">${this.refused?`The daemon refused this token`:`Connect to the daemon`}</h2>
        ${this.refused?M`<p class="message error" role="alert" data-testid="token-refused">The token does not match this daemon’s. Open the dashboard with the current token.</p>`:P}
        <p class="muted">
          The dashboard needs the token from the <code>api-token</code> file in the daemon’s home (by default
          <code>~/.config/syncline/api-token</code>). Open <code>http://127.0.0.1:PORT/#token=TOKEN</code>, or paste it here.
        </p>
        <form @submit=${this.submit} novalidate>
          <div class="field">
            <label for="token">Token</label>
            <input id="token" name="token" type="password" autocomplete="off" spellcheck="false" class="mono" />
          </div>
          <button class="primary" type="submit">Connect</button>
        </form>
        ${this.error?M`<p class="message error" role="alert">${this.error}</p>`:P}
      </section>
    `}static styles=[Y,o`
      :host {
        max-width: 620px;
        margin: 48px auto;
      }
      h2 {
        font-size: 1.15rem;
        margin-bottom: 8px;
      }
      form {
        display: flex;
        align-items: flex-end;
        gap: 10px;
        margin-top: 16px;
      }
      .field {
        flex: 1;
      }
    `]};customElements.define(`sl-token-form`,rt);var it={connecting:`Connecting…`,open:`Live`,reconnecting:`Reconnecting…`,refused:`Refused`},at=class extends V{static properties={connection:{state:!0},hasToken:{state:!0},conflicts:{state:!0},conflictsAvailable:{state:!0},conflictsTruncated:{state:!0},loadError:{state:!0},copied:{state:!0}};model=new Pe;client;conflictsLoading;conflictsStale=!1;constructor(){super(),this.connection={kind:`connecting`},this.hasToken=!1,this.conflicts=[],this.conflictsAvailable=!0,this.conflictsTruncated=!1,this.loadError=``,this.copied=!1,this.addEventListener(`sl-refresh`,()=>void this.loadStatus()),this.addEventListener(`sl-conflicts-changed`,()=>void this.loadConflicts()),this.addEventListener(`sl-token`,e=>{Re(e.detail),this.connect(e.detail)})}connectedCallback(){super.connectedCallback();let e=Le();e&&this.connect(e)}disconnectedCallback(){super.disconnectedCallback(),this.client?.close()}connect(e){this.client?.close(),this.hasToken=!0,this.client=new Te(e,{state:e=>{this.connection=e,e.kind===`refused`&&ze()},event:(e,t)=>this.onEvent(e,t),opened:()=>void this.loadAll()}),this.client.start()}onEvent(e,t){let n=this.model.apply(e,t);n.peers&&this.loadPeers(),n.conflicts&&this.loadConflicts(),this.requestUpdate()}async loadAll(){await this.loadStatus(),await this.loadConflicts()}async loadStatus(){if(this.client){try{this.model.loadStatus(await this.client.call(`status`)),this.loadError=``}catch(e){this.loadError=`Could not load the daemon’s status: ${e instanceof Error?e.message:String(e)}`}this.requestUpdate()}}async loadPeers(){if(this.client)try{this.model.loadPeers(await this.client.call(`peers`)),this.requestUpdate()}catch{}}loadConflicts(){if(this.conflictsLoading)return this.conflictsStale=!0,this.conflictsLoading;let e=async()=>{do{this.conflictsStale=!1;try{let e=await this.client.call(`conflicts.list`);this.conflicts=e.items,this.conflictsTruncated=e.truncated,this.conflictsAvailable=!0}catch(e){e instanceof H&&e.code===`SYNCLINE_API_UNKNOWN_METHOD`&&(this.conflictsAvailable=!1)}}while(this.conflictsStale)};return this.conflictsLoading=e().finally(()=>this.conflictsLoading=void 0),this.conflictsLoading}async copyDeviceId(){await navigator.clipboard?.writeText(this.model.deviceId).then(()=>{this.copied=!0,setTimeout(()=>this.copied=!1,2e3)},()=>void 0)}renderHeader(){let e=this.connection.kind;return M`
      <header>
        <div class="brand">
          <svg viewBox="0 0 32 32" width="26" height="26" aria-hidden="true">
            <rect width="32" height="32" rx="8" fill="var(--accent)"></rect>
            <path d="M9 12.5h11.5l-3-3M23 19.5H11.5l3 3" fill="none" stroke="var(--on-accent)" stroke-width="2.6" stroke-linecap="round" stroke-linejoin="round"></path>
          </svg>
          <h1>Syncline</h1>
        </div>
        ${this.model.deviceId?M`<div class="device small">
              <span class="muted">This device</span>
              <code title=${this.model.deviceId} data-testid="device-id">${K(this.model.deviceId)}</code>
              <button class="link small" @click=${this.copyDeviceId} aria-label="Copy this device’s ID">${this.copied?`Copied`:`Copy ID`}</button>
            </div>`:P}
        ${this.hasToken?M`<span class="connection ${e}" role="status" data-testid="connection" data-state=${e}>
              <span class="dot ${e===`open`?`on`:``}" aria-hidden="true"></span>${it[e]}
            </span>`:P}
      </header>
    `}renderBody(){if(!this.hasToken||this.connection.kind===`refused`)return M`<sl-token-form ?refused=${this.connection.kind===`refused`}></sl-token-form>`;let e=this.connection.kind===`open`?this.client:void 0;return M`
      ${this.connection.kind===`reconnecting`?M`<p class="banner" role="status">Lost the connection to the daemon. Trying again in ${Math.round(this.connection.inMs/1e3)||1} s…</p>`:P}
      ${this.loadError?M`<p class="banner error" role="alert">${this.loadError}</p>`:P}
      <main>
        <div class="column wide">
          <sl-folders .folders=${this.model.folders} .peers=${this.model.peers} .api=${e}></sl-folders>
          <sl-conflicts .items=${this.conflicts} .available=${this.conflictsAvailable} .truncated=${this.conflictsTruncated} .api=${e}></sl-conflicts>
        </div>
        <div class="column">
          <sl-peers .peers=${this.model.peers}></sl-peers>
          <sl-pair .api=${e}></sl-pair>
          <sl-feed .entries=${this.model.feed}></sl-feed>
        </div>
      </main>
    `}render(){return M`${this.renderHeader()}${this.renderBody()}`}static styles=[Y,o`
      :host {
        display: block;
        min-height: 100vh;
      }
      header {
        display: flex;
        align-items: center;
        flex-wrap: wrap;
        gap: 10px 24px;
        padding: 14px max(20px, calc((100vw - 1240px) / 2));
        background: var(--surface);
        border-bottom: 1px solid var(--border);
      }
      .brand {
        display: flex;
        align-items: center;
        gap: 10px;
        margin-right: auto;
      }
      h1 {
        font-size: 1.15rem;
        font-weight: 650;
        margin: 0;
      }
      .device {
        display: flex;
        align-items: center;
        gap: 8px;
      }
      button.link {
        border: none;
        background: none;
        color: var(--accent);
        padding: 2px 4px;
      }
      .connection {
        display: inline-flex;
        align-items: center;
        gap: 7px;
        font-size: 0.85rem;
        padding: 3px 11px;
        border-radius: 999px;
        border: 1px solid var(--border);
        color: var(--muted);
      }
      .connection.open {
        color: var(--ok);
        border-color: color-mix(in srgb, var(--ok) 35%, transparent);
      }
      .connection.reconnecting,
      .connection.refused {
        color: var(--danger);
      }
      .banner {
        max-width: min(1200px, calc(100% - 40px));
        margin: 16px auto 0;
        padding: 10px 14px;
        border-radius: 8px;
        background: var(--warn-soft);
        color: var(--warn);
        box-sizing: border-box;
      }
      .banner.error {
        background: var(--danger-soft);
        color: var(--danger);
      }
      main {
        display: grid;
        grid-template-columns: minmax(0, 1.75fr) minmax(300px, 1fr);
        gap: 20px;
        align-items: start;
        max-width: 1240px;
        margin: 0 auto;
        padding: 20px;
      }
      .column {
        display: grid;
        grid-template-columns: minmax(0, 1fr);
        gap: 20px;
        min-width: 0;
      }
      @media (max-width: 900px) {
        main {
          grid-template-columns: minmax(0, 1fr);
          padding: 12px;
          gap: 12px;
        }
        .column {
          gap: 12px;
        }
        header {
          padding: 12px;
        }
      }
    `]};customElements.define(`syncline-dashboard`,at);