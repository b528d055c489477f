const t=performance.now(); await import('./dist/cli.js').catch(()=>{}); 
