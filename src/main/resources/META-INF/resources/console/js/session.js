// The credentials live in sessionStorage only: gone when the tab closes, never put in a URL or the page.
const KEY = 'cascade.apiKey';
const TOKEN = 'cascade.operatorToken';

export const session = {
  get apiKey() { return sessionStorage.getItem(KEY); },
  get operatorToken() { return sessionStorage.getItem(TOKEN); },
  signIn(apiKey, operatorToken) {
    if (apiKey) sessionStorage.setItem(KEY, apiKey); else sessionStorage.removeItem(KEY);
    if (operatorToken) sessionStorage.setItem(TOKEN, operatorToken); else sessionStorage.removeItem(TOKEN);
  },
  signOut() {
    sessionStorage.removeItem(KEY);
    sessionStorage.removeItem(TOKEN);
  },
};
