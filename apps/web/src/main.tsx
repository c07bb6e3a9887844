import { render } from 'preact';
import { App } from './app/ui/app';
import './styles.css';

const root = document.getElementById('app');
if (root) render(<App />, root);
